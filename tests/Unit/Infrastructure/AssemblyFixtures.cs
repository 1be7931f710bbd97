using Catalyst.Tests.Unit.Infrastructure;

// One Portal for the whole test assembly: tests isolate themselves with their own users.
[assembly: AssemblyFixture(typeof(PortalFactory))]
