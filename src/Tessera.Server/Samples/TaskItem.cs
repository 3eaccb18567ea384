namespace Tessera.Server.Samples;

public sealed class TaskItem
{
    public const int TitleMaxLength = 200;

    public long Id { get; set; }
    public required string Title { get; set; }
    public bool Done { get; set; }
    public long OwnerId { get; set; }
}
