using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Feynman.Optim;

/// <summary>
/// Fused parameter updates: one pass over parameter, gradient and state, eight lanes at a time
/// (Vector256), with a scalar tail. Each mirrors the arithmetic order of torch.optim's single-tensor path.
/// </summary>
internal static class UpdateKernels
{
    /// <summary>
    /// SGD: d = g + wd·p; with momentum, b = first ? d : μ·b + (1−τ)·d and d = nesterov ? d + μ·b : b; p = p − lr·d.
    /// </summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, bool first,
                           float lr, float weightDecay, float momentum, float dampening, bool nesterov)
    {
        int n = p.Length;
        bool useMomentum = momentum != 0f;
        float keep = 1f - dampening, negLr = -lr;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float br = ref useMomentum ? ref MemoryMarshal.GetReference(buf) : ref pr;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vwd = Vector256.Create(weightDecay);
            var vm = Vector256.Create(momentum);
            var vkeep = Vector256.Create(keep);
            var vlr = Vector256.Create(negLr);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (weightDecay != 0f) d += vwd * vp;
                if (useMomentum)
                {
                    var b = first ? d : vm * Vector256.LoadUnsafe(ref br, (nuint)i) + vkeep * d;
                    b.StoreUnsafe(ref br, (nuint)i);
                    d = nesterov ? d + vm * b : b;
                }
                (vp + vlr * d).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref gr, i);
            if (weightDecay != 0f) d += weightDecay * Unsafe.Add(ref pr, i);
            if (useMomentum)
            {
                float b = first ? d : momentum * Unsafe.Add(ref br, i) + keep * d;
                Unsafe.Add(ref br, i) = b;
                d = nesterov ? d + momentum * b : b;
            }
            Unsafe.Add(ref pr, i) += negLr * d;
        }
    }

    /// <summary>
    /// Adam/AdamW: p ·= decay (AdamW's decoupled weight decay, 1 − lr·wd; 1 for Adam); g' = g + l2·p
    /// (Adam's coupled decay); m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
    /// p −= stepSize · m / (√v̂ / √bc2 + eps) where v̂ = v, or with AMSGrad the running maximum vmax = max(vmax, v).
    /// </summary>
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vmax,
                            float decay, float l2, float beta1, float beta2, float stepSize, float bc2Sqrt, float eps)
    {
        bool amsgrad = !vmax.IsEmpty;
        int n = p.Length;
        float oneMinusB1 = 1f - beta1, oneMinusB2 = 1f - beta2, negStep = -stepSize;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float xr = ref amsgrad ? ref MemoryMarshal.GetReference(vmax) : ref vr;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vdecay = Vector256.Create(decay);
            var vl2 = Vector256.Create(l2);
            var vb1 = Vector256.Create(beta1);
            var vb2 = Vector256.Create(beta2);
            var v1b1 = Vector256.Create(oneMinusB1);
            var v1b2 = Vector256.Create(oneMinusB2);
            var vstep = Vector256.Create(negStep);
            var vbc2 = Vector256.Create(bc2Sqrt);
            var veps = Vector256.Create(eps);
            for (; i <= n - 8; i += 8)
            {
                var vp = Vector256.LoadUnsafe(ref pr, (nuint)i);
                var vg = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (decay != 1f) vp *= vdecay;
                if (l2 != 0f) vg += vl2 * vp;
                var vm = vb1 * Vector256.LoadUnsafe(ref mr, (nuint)i) + v1b1 * vg;
                var vv = vb2 * Vector256.LoadUnsafe(ref vr, (nuint)i) + v1b2 * (vg * vg);
                vm.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (amsgrad)
                {
                    vv = Vector256.Max(Vector256.LoadUnsafe(ref xr, (nuint)i), vv);
                    vv.StoreUnsafe(ref xr, (nuint)i);
                }
                var denom = Vector256.Sqrt(vv) / vbc2 + veps;
                (vp + vstep * (vm / denom)).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float gv = Unsafe.Add(ref gr, i);
            if (decay != 1f) pv *= decay;
            if (l2 != 0f) gv += l2 * pv;
            float mv = beta1 * Unsafe.Add(ref mr, i) + oneMinusB1 * gv;
            float vv = beta2 * Unsafe.Add(ref vr, i) + oneMinusB2 * (gv * gv);
            Unsafe.Add(ref mr, i) = mv;
            Unsafe.Add(ref vr, i) = vv;
            if (amsgrad)
            {
                vv = MathF.Max(Unsafe.Add(ref xr, i), vv);
                Unsafe.Add(ref xr, i) = vv;
            }
            float denom = MathF.Sqrt(vv) / bc2Sqrt + eps;
            Unsafe.Add(ref pr, i) = pv + negStep * (mv / denom);
        }
    }
}
