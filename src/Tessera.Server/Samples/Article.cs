namespace Tessera.Server.Samples;

public sealed class Article : Tessera.AspNetCore.Authorization.IOwnedResource
{
    public const int TitleMaxLength = 200;

    public long Id { get; set; }
    public required string Title { get; set; }
    public string Body { get; set; } = "";
    public long AuthorId { get; set; }

    long Tessera.AspNetCore.Authorization.IOwnedResource.OwnerId => AuthorId;
}
