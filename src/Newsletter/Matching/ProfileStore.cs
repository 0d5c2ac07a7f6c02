using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Matching;

/// <summary>
/// Subscribers' keyword profiles. Saving compiles the profile first, so an invalid keyword never reaches the
/// table (or the daily run); loading compiles the stored text again.
/// </summary>
public sealed class ProfileStore(Database database, TimeProvider clock)
{
    /// <summary>The keywords one row each, as typed, for the admin search (<c>SubscriberStore.PageAsync</c>).</summary>
    private static readonly MultiRowInsert<(string SubscriberId, int Position, string Keyword)> KeywordRows = new(
        "profile_keywords", ["subscriber_id", "position", "keyword"], k => [k.SubscriberId, k.Position, k.Keyword]);

    private static readonly MultiRowInsert<(string SubscriberId, Profile Profile, string Now)> ProfileRows = new(
        "profiles", ["subscriber_id", "keywords", "exclusions", "max_papers", "min_score", "updated_at", "focus"],
        p => [p.SubscriberId, Stored(p.Profile.Keywords), Stored(p.Profile.Exclusions),
              p.Profile.MaxPapers, p.Profile.MinScore, p.Now, p.Profile.Focus.Name()]);

    /// <summary>
    /// Stores the profiles of subscribers this transaction just added (none has one yet), already compiled: many at
    /// a time, for an import.
    /// </summary>
    public async Task InsertNewAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string SubscriberId, Profile Profile)> added, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await ProfileRows.InsertNewAsync(connection, transaction, [.. added.Select(a => (a.SubscriberId, a.Profile, now))], cancellationToken);
        await KeywordRows.InsertNewAsync(connection, transaction,
            [.. added.SelectMany(a => a.Profile.Keywords.Select((k, i) => (a.SubscriberId, i, k.Text)))], cancellationToken);
    }

    /// <summary>A keyword list as the profiles table holds it: the texts as typed, a JSON array.</summary>
    private static string Stored(IReadOnlyList<CompiledKeyword> keywords) => JsonSerializer.Serialize(keywords.Select(k => k.Text));

    /// <exception cref="ProfileValidationException">Nothing is written.</exception>
    public async Task<Profile> SaveAsync(DbConnection connection, DbTransaction transaction, string subscriberId, IReadOnlyList<string> keywords,
        IReadOnlyList<string> exclusions, int maxPapers, double? minScore, CancellationToken cancellationToken, ProfileFocus focus = ProfileFocus.Broad)
    {
        var profile = Profile.Compile(subscriberId, keywords, exclusions, maxPapers, minScore, focus);
        await connection.ExecuteAsync(
            """
            INSERT INTO profiles (subscriber_id, keywords, exclusions, max_papers, min_score, updated_at, focus)
            VALUES (@Id, @Keywords, @Exclusions, @Max, @MinScore, @Now, @Focus)
            ON CONFLICT (subscriber_id) DO UPDATE SET keywords = excluded.keywords, exclusions = excluded.exclusions,
                max_papers = excluded.max_papers, min_score = excluded.min_score, updated_at = excluded.updated_at,
                focus = excluded.focus
            """,
            new
            {
                Id = subscriberId,
                Keywords = Stored(profile.Keywords),
                Exclusions = Stored(profile.Exclusions),
                Max = maxPapers,
                MinScore = minScore,
                Now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                Focus = focus.Name(),
            },
            transaction);
        await connection.ExecuteAsync("DELETE FROM profile_keywords WHERE subscriber_id = @Id", new { Id = subscriberId }, transaction);
        await KeywordRows.InsertNewAsync(connection, transaction, [.. profile.Keywords.Select((k, i) => (subscriberId, i, k.Text))], cancellationToken);
        return profile;
    }

    public async Task<StoredProfile?> GetAsync(string subscriberId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ProfileRow>(
            "SELECT subscriber_id AS SubscriberId, keywords AS Keywords, exclusions AS Exclusions, max_papers AS MaxPapers, min_score AS MinScore, focus AS Focus FROM profiles WHERE subscriber_id = @Id",
            new { Id = subscriberId });
        return row?.ToStored();
    }

    /// <summary>The stored profiles of these subscribers, as typed (for listings; nothing is compiled).</summary>
    public async Task<Dictionary<string, StoredProfile>> GetManyAsync(IReadOnlyList<string> subscriberIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, StoredProfile>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        await ProfilesById.ForEachRowAsync(connection, null, subscriberIds, row =>
        {
            var stored = Row(row).ToStored();
            result[stored.SubscriberId] = stored;
        }, cancellationToken);
        return result;
    }

    /// <summary>By key, 256 at a time: the daily run reads the profiles of a page of subscribers at once.</summary>
    private static readonly KeyedQuery ProfilesById = new(
        "SELECT subscriber_id, keywords, exclusions, max_papers, min_score, focus FROM profiles WHERE subscriber_id IN ({keys})", 256);

    private static ProfileRow Row(DbDataReader row) => new()
    {
        SubscriberId = row.GetString(0), Keywords = row.GetString(1), Exclusions = row.GetString(2), MaxPapers = row.GetInt64(3),
        MinScore = row.IsDBNull(4) ? null : row.GetDouble(4),
        Focus = row.GetString(5),
    };

    /// <summary>Compiled profiles of these subscribers, read by key (the daily run asks a page at a time). A profile that no longer compiles is reported, not thrown.</summary>
    public async Task<(List<Profile> Profiles, List<(string SubscriberId, string Problem)> Broken)> LoadAsync(IReadOnlyList<string> subscriberIds, CancellationToken cancellationToken)
    {
        var profiles = new List<Profile>();
        var broken = new List<(string, string)>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await ProfilesById.ForEachRowAsync(connection, null, subscriberIds, row => Compile(Row(row)), cancellationToken);
        return (profiles, broken);

        void Compile(ProfileRow row)
        {
            var stored = row.ToStored();
            try
            {
                profiles.Add(Profile.Compile(row.SubscriberId, stored.Keywords, stored.Exclusions, stored.MaxPapers, stored.MinScore, stored.Focus));
            }
            catch (ProfileValidationException e)
            {
                broken.Add((row.SubscriberId, e.Message));
            }
        }
    }

    /// <summary>The profile and its keyword rows (named, not left to the cascade: this is the erasure of personal data).</summary>
    public async Task<int> DeleteAsync(DbConnection connection, DbTransaction transaction, string subscriberId)
    {
        await connection.ExecuteAsync("DELETE FROM profile_keywords WHERE subscriber_id = @Id", new { Id = subscriberId }, transaction);
        return await connection.ExecuteAsync("DELETE FROM profiles WHERE subscriber_id = @Id", new { Id = subscriberId }, transaction);
    }

    private sealed class ProfileRow
    {
        public string SubscriberId { get; init; } = "";
        public string Keywords { get; init; } = "[]";
        public string Exclusions { get; init; } = "[]";
        public long MaxPapers { get; init; }
        public double? MinScore { get; init; }
        public string Focus { get; init; } = ProfileFocusNames.Broad;

        public StoredProfile ToStored() => new(
            SubscriberId,
            JsonSerializer.Deserialize<List<string>>(Keywords) ?? [],
            JsonSerializer.Deserialize<List<string>>(Exclusions) ?? [],
            (int)MaxPapers,
            MinScore,
            ProfileFocusNames.Parse(Focus));
    }
}

public sealed record StoredProfile(string SubscriberId, IReadOnlyList<string> Keywords, IReadOnlyList<string> Exclusions, int MaxPapers, double? MinScore,
    ProfileFocus Focus = ProfileFocus.Broad);
