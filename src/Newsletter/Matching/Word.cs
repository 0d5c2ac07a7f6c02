namespace Newsletter.Matching;

/// <summary>
/// One distinct word as folded (case kept), with the forms matching looks it up by. The tokenizer hands out one
/// instance per spelling, so each form is worked out once per process, not once per occurrence.
/// </summary>
public sealed class Word(string text)
{
    private string? _lower;
    private string? _key;
    private int _keyId = -1;
    private int _acronym; // 0 not yet known, 1 yes, 2 no

    public string Text { get; } = text;

    /// <summary>Lower-cased; the same instance as <see cref="Text"/> when that is already lower case.</summary>
    public string Lower => _lower ??= Text.ToLowerInvariant();

    /// <summary>The stemmed key an ordinary word is matched by (<see cref="WordKeys.Key"/>).</summary>
    public string Key => _key ??= WordKeys.Key(Lower);

    /// <summary>A number for <see cref="Key"/>, the same for every word with that key, for cheap lookups while indexing.</summary>
    public int KeyId => _keyId >= 0 ? _keyId : _keyId = WordKeys.IdOf(Key);

    /// <summary>Handed to a <see cref="WordKeys.Prefetch"/> once (set and read by the thread building an index only).</summary>
    internal bool Prefetched { get; set; }

    internal bool HasKeyId => _keyId >= 0;

    public bool IsAcronym => (_acronym == 0 ? _acronym = !ReferenceEquals(Lower, Text) && WordKeys.IsAcronym(Text) ? 1 : 2 : _acronym) == 1;

    public override string ToString() => Text;
}
