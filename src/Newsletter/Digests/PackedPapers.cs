using System.Buffers;
using System.Text;
using System.Text.Json;
using Newsletter.Matching;

namespace Newsletter.Digests;

/// <summary>One paper of a stored digest as planning chose it: which paper, its score, and why it matched.</summary>
public sealed record PackedPaper(string PaperId, double Score, IReadOnlyList<string> Matched, IReadOnlyList<TextSpan> TitleSpans, IReadOnlyList<TextSpan> SummarySpans);

/// <summary>
/// A digest's papers as one text (<c>digest_papers.papers</c>), in digest order:
/// <c>[{"paper":"2403.00001","score":1.5,"matched":["rag"],"title":[[0,3]],"summary":[]},…]</c>.
/// One row per digest instead of one per paper: a day's plan for a million subscribers wrote about eight million rows,
/// each with its own index entries, and the send read them back one by one.
/// </summary>
public static class PackedPapers
{
    public static string Pack(IReadOnlyList<SelectedPaper> papers) =>
        Pack(papers, p => new PackedPaper(p.Paper.Id, p.Score, p.Matched, p.TitleSpans, p.SummarySpans));

    public static string Pack<T>(IReadOnlyList<T> papers, Func<T, PackedPaper> packed)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + papers.Count * 160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var paper in papers.Select(packed))
            {
                json.WriteStartObject();
                json.WriteString("paper", paper.PaperId);
                json.WriteNumber("score", paper.Score);
                json.WriteStartArray("matched");
                foreach (var keyword in paper.Matched)
                {
                    json.WriteStringValue(keyword);
                }
                json.WriteEndArray();
                WriteSpans(json, "title", paper.TitleSpans);
                WriteSpans(json, "summary", paper.SummarySpans);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSpans(Utf8JsonWriter json, string name, IReadOnlyList<TextSpan> spans)
    {
        json.WriteStartArray(name);
        foreach (var span in spans)
        {
            json.WriteStartArray();
            json.WriteNumberValue(span.Start);
            json.WriteNumberValue(span.Length);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <exception cref="JsonException">The text is not a packed paper list (the message says where).</exception>
    public static List<PackedPaper> Unpack(string packed)
    {
        var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(packed));
        var papers = new List<PackedPaper>();
        Read(ref json, JsonTokenType.StartArray);
        while (Next(ref json) != JsonTokenType.EndArray)
        {
            Expect(ref json, JsonTokenType.StartObject);
            string? id = null;
            var score = 0.0;
            List<string> matched = [];
            List<TextSpan> title = [], summary = [];
            while (Next(ref json) != JsonTokenType.EndObject)
            {
                var name = json.GetString();
                switch (name)
                {
                    case "paper":
                        Read(ref json, JsonTokenType.String);
                        id = json.GetString();
                        break;
                    case "score":
                        Read(ref json, JsonTokenType.Number);
                        score = json.GetDouble();
                        break;
                    case "matched":
                        Read(ref json, JsonTokenType.StartArray);
                        while (Next(ref json) != JsonTokenType.EndArray)
                        {
                            Expect(ref json, JsonTokenType.String);
                            matched.Add(json.GetString()!);
                        }
                        break;
                    case "title":
                        title = ReadSpans(ref json);
                        break;
                    case "summary":
                        summary = ReadSpans(ref json);
                        break;
                    default:
                        json.Read();
                        json.Skip(); // a field a later version added: what this one needs is still there
                        break;
                }
            }
            papers.Add(new PackedPaper(id ?? throw new JsonException($"paper {papers.Count + 1} has no \"paper\" id"), score, matched, title, summary));
        }
        return papers;
    }

    /// <summary>The same list with no keywords kept (an erased subscriber's digests keep their papers, not what they searched for).</summary>
    public static string WithoutKeywords(string packed) =>
        Pack(Unpack(packed), p => p with { Matched = [] });

    private static List<TextSpan> ReadSpans(ref Utf8JsonReader json)
    {
        var spans = new List<TextSpan>();
        Read(ref json, JsonTokenType.StartArray);
        while (Next(ref json) != JsonTokenType.EndArray)
        {
            Expect(ref json, JsonTokenType.StartArray);
            Read(ref json, JsonTokenType.Number);
            var start = json.GetInt32();
            Read(ref json, JsonTokenType.Number);
            var length = json.GetInt32();
            Read(ref json, JsonTokenType.EndArray);
            spans.Add(new TextSpan(start, length));
        }
        return spans;
    }

    private static JsonTokenType Next(ref Utf8JsonReader json) =>
        json.Read() ? json.TokenType : throw new JsonException($"the list ends early, at byte {json.BytesConsumed}");

    private static void Read(ref Utf8JsonReader json, JsonTokenType expected)
    {
        Next(ref json);
        Expect(ref json, expected);
    }

    private static void Expect(ref Utf8JsonReader json, JsonTokenType expected)
    {
        if (json.TokenType != expected)
        {
            throw new JsonException($"expected {expected} at byte {json.TokenStartIndex}, found {json.TokenType}");
        }
    }
}
