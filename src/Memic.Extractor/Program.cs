using Memic.Extractor;

return await ExtractionWorker.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);
