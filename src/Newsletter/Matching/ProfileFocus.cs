namespace Newsletter.Matching;

/// <summary>
/// How central a keyword must be to a paper for the paper to be picked. <see cref="Broad"/>: anywhere in the title or
/// abstract (the default). <see cref="Focused"/>: in the title, or at least twice in the abstract, or by a qualifier
/// on the listing (<c>author:</c>, <c>category:</c>, <c>source:</c>); papers are then ranked by that centrality first.
/// </summary>
public enum ProfileFocus
{
    Broad,
    Focused,
}

/// <summary>The focus as settings, forms, files and the database write it: <c>broad</c> or <c>focused</c>.</summary>
public static class ProfileFocusNames
{
    public const string Broad = "broad";
    public const string Focused = "focused";

    public static string Name(this ProfileFocus focus) => focus == ProfileFocus.Focused ? Focused : Broad;

    /// <summary>Reads <c>broad</c> or <c>focused</c> (any case, surrounding spaces ignored).</summary>
    public static bool TryParse(string? text, out ProfileFocus focus)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Broad:
                focus = ProfileFocus.Broad;
                return true;
            case Focused:
                focus = ProfileFocus.Focused;
                return true;
            default:
                focus = ProfileFocus.Broad;
                return false;
        }
    }

    /// <exception cref="ArgumentException">Naming the value and the two accepted ones.</exception>
    public static ProfileFocus Parse(string? text) =>
        TryParse(text, out var focus) ? focus : throw new ArgumentException(Invalid(text));

    public static string Invalid(string? text) => $"focus must be '{Broad}' or '{Focused}' (was '{text}')";
}
