using Feynman.Tensors;

namespace Feynman.Serialization;

/// <summary>What a safetensors file holds: tensors in file order (by data offset), and the string metadata.</summary>
public sealed record SafetensorsFile(OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);
