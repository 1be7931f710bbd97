using Catalyst.Tests.Unit.Infrastructure;

// One Portal for the whole test assembly: tests isolate themselves with their own users.
[assembly: AssemblyFixture(typeof(PortalFactory))]

// Azurite for the AzureBlob store tests, started on first use and stopped after the last test.
[assembly: AssemblyFixture(typeof(AzuriteFixture))]
