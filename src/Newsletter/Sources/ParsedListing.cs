using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>What a listing held: its papers in listed order, the day it says it is for, and what was skipped.</summary>
public sealed record ParsedListing(ListingFormat Format, DateOnly? Date, IReadOnlyList<Paper> Papers, IReadOnlyList<string> Warnings);
