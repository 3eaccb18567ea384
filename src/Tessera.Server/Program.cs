Console.WriteLine("tessera");
