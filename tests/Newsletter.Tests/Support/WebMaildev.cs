namespace Newsletter.Tests.Support;

/// <summary>A maildev of its own for the web and admin tests, so they run beside the delivery tests' collection.</summary>
public sealed class WebMaildev : IAsyncLifetime
{
    public MaildevServer Server { get; } = new();

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

[CollectionDefinition(nameof(WebCollection))]
public sealed class WebCollection : ICollectionFixture<WebMaildev>;
