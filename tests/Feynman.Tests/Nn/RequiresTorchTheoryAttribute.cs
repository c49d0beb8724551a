using Feynman.Tests.Serialization;

namespace Feynman.Tests.Nn;

/// <summary>A theory skipped only when /usr/bin/python3 cannot import torch (see <see cref="RequiresTorchFactAttribute"/>).</summary>
public sealed class RequiresTorchTheoryAttribute : TheoryAttribute
{
    public RequiresTorchTheoryAttribute()
    {
        var probe = new RequiresTorchFactAttribute();
        if (probe.Skip is not null) Skip = probe.Skip;
    }
}
