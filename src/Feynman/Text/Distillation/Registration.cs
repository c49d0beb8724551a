using System.Runtime.CompilerServices;

namespace Feynman.Text.Distillation;

/// <summary>Registers the text-distillation recipe section and paradigm when the library loads.</summary>
internal static class Registration
{
#pragma warning disable CA2255 // A library registering its own recipe extensions is what the initializer is for here.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => TextDistillationSpec.Register();
}
