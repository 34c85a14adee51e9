[assembly: AssemblyFixture(typeof(Memic.Client.Tests.LocalServer))]
