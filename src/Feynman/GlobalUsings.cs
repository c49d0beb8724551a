// System.Numerics.Tensors also defines a Tensor type; import only its SIMD primitives.
global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
