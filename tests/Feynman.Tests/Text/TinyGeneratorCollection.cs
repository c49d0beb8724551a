namespace Feynman.Tests.Text;

/// <summary>Trains <see cref="TinyGeneratorFixture"/> once for every test class that uses it.</summary>
[CollectionDefinition(TinyGeneratorFixture.Collection)]
public sealed class TinyGeneratorCollection : ICollectionFixture<TinyGeneratorFixture>;
