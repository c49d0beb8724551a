namespace Feynman.Text;

/// <summary>Receives the feature ids of a text, one call each, from <see cref="TextTokenizer.VisitFeatures"/>.
/// A struct (or ref struct) visitor is inlined, so the prediction path neither allocates nor calls virtually.</summary>
public interface IFeatureVisitor
{
    void Feature(int id);
}
