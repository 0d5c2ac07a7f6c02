using NetArchTest.Rules;

namespace Newsletter.Tests.Architecture;

/// <summary>
/// The folders of src/Newsletter depend one way, in the order data flows (docs/architecture.md): a folder may use
/// those before it, never one after it. Common and Cli are no stage (every stage may use them); Hosting is the
/// composition root, which alone knows every folder. Read from the compiled program, so a qualified name or a type
/// used without a using directive counts too.
/// </summary>
public sealed class FolderDependencyTests
{
    public static readonly string[] Order =
    [
        "Common", "Cli", "Data", "Papers", "Sources", "Matching", "Subscribers", "Digests", "Delivery", "Inbound", "Scheduling", "Admin", "Web", "AdminConsole", "Operations", "Hosting",
    ];

    public static TheoryData<string> Folders => [.. Order];

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_depends_on_no_folder_after_it(string folder)
    {
        var later = Order.SkipWhile(f => f != folder).Skip(1).Select(f => $"Newsletter.{f}").ToArray();
        if (later.Length == 0)
        {
            return;
        }

        var result = Types.InAssembly(typeof(Newsletter.Common.SiteOptions).Assembly)
            .That().ResideInNamespaceMatching($@"^Newsletter\.{folder}(\..+)?$") // not a prefix: Admin is not AdminConsole
            .ShouldNot().HaveDependencyOnAny(later)
            .GetResult();

        Assert.True(result.IsSuccessful, $"{folder} uses a folder after it: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Every_folder_of_the_program_has_its_place_in_the_order()
    {
        var namespaces = typeof(Newsletter.Common.SiteOptions).Assembly.GetTypes()
            .Select(t => t.Namespace).Where(n => n is not null && n.StartsWith("Newsletter.", StringComparison.Ordinal))
            .Select(n => n!.Split('.')[1]).Distinct();

        Assert.Empty(namespaces.Except(Order));
    }

    [Fact]
    public void Only_Data_knows_which_database_it_talks_to()
    {
        // every SQL difference is answered by the provider's SqlDialect; no other folder may reach a driver
        var result = Types.InAssembly(typeof(Newsletter.Common.SiteOptions).Assembly)
            .That().DoNotResideInNamespace("Newsletter.Data")
            .ShouldNot().HaveDependencyOnAny("Npgsql", "NpgsqlTypes", "Microsoft.Data.Sqlite")
            .GetResult();

        Assert.True(result.IsSuccessful, "uses a database driver outside Data: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
