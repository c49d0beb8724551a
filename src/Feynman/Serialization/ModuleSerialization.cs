using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Serialization;

/// <summary><c>model.Save(path)</c> and <c>model.Load(path)</c>: a module's state dict as a safetensors file, with PyTorch's key names.</summary>
public static class ModuleSerialization
{
    /// <summary>Writes the module's state dict (parameters and persistent buffers) to a safetensors file.</summary>
    public static void Save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Safetensors.Save(path, module.StateDict(), metadata);
    }

    /// <summary>Loads a safetensors file into the module (see <see cref="Module.LoadStateDict"/>) and returns the file's metadata.</summary>
    public static IReadOnlyDictionary<string, string> Load(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = TensorScope.Begin();
        var file = Safetensors.Read(path);
        try
        {
            module.LoadStateDict(file.Tensors, strict);
        }
        catch (StateDictMismatchException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        return file.Metadata;
    }
}
