using Notes;

var app = NotesApp.Build(args);
await NotesApp.MigrateAsync(app);
await app.RunAsync();
