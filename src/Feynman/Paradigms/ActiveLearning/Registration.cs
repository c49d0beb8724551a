using System.Runtime.CompilerServices;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Registers the active-learning recipe section and paradigm when the library loads, so any recipe can name them.</summary>
internal static class Registration
{
#pragma warning disable CA2255 // A library registering its own recipe extensions is what the initializer is for here.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => ActiveLearningSpec.Register();
}
