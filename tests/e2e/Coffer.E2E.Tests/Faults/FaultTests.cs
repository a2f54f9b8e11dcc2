namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// The fault tests run one after another, not beside each other: each drives a write load as hard as the machine
/// allows, and their figures mean more when two loads do not share the CPU.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class FaultTests
{
    public const string Collection = "Fault tests";
}
