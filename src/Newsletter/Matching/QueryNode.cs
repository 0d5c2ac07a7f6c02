namespace Newsletter.Matching;

/// <summary>A compiled keyword: what it matches, as a tree of words and phrases joined by AND, OR and NOT.</summary>
public abstract record QueryNode;

/// <summary>
/// A word or phrase as the subscriber wrote it, with the token sequences that count as it (the phrase itself and
/// its joined forms: "fine-tuning" is also "finetuning").
/// </summary>
public sealed record TermNode(string Text, IReadOnlyList<IReadOnlyList<Unit>> Variants) : QueryNode
{
    /// <summary>Where the term counts: anywhere (title or abstract), or only where a <c>title:</c> or <c>abstract:</c> qualifier says.</summary>
    public TextScope Scope { get; init; } = TextScope.Anywhere;

    /// <summary>The same for every keyword that means the same words: the index caches its answer under it.</summary>
    public string Canonical { get; } = string.Join(" | ", Variants.Select(v => string.Join(' ', v.Select(u => u.ToString()))));

    /// <summary>
    /// The answer of the last index this term was resolved against: saves a dictionary look-up per use. A reference,
    /// written whole: terms are shared by every profile with the same keyword, across threads and indexes.
    /// </summary>
    internal ResolvedTerm? LastResolved { get; set; }
}

internal sealed record ResolvedTerm(PaperIndex Index, TermHits Hits);

public sealed record AndNode(IReadOnlyList<QueryNode> Children) : QueryNode;

public sealed record OrNode(IReadOnlyList<QueryNode> Children) : QueryNode;

public sealed record NotNode(QueryNode Child) : QueryNode;

/// <summary>One word to find: a stemmed key (any case), or an acronym's exact base (with an optional plural s).</summary>
public readonly record struct Unit(string Value, bool Acronym)
{
    public override string ToString() => Acronym ? "A:" + Value : Value;
}

/// <summary>The part of a paper's text a term is looked for in.</summary>
public enum TextScope
{
    Anywhere,
    Title,
    Abstract,
}
