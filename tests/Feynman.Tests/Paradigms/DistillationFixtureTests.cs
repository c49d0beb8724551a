using Feynman.Nn;
using Feynman.Optim;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Tests.Support;
using Feynman.Data;

namespace Feynman.Tests.Paradigms;

/// <summary>
/// Distillation training against PyTorch step by step (reference/make_kd_fixtures.py): the same MLP, batches and
/// teacher probabilities, 10 SGD-Nesterov steps of α·CE + (1 − α)·T²·KL; every loss and the final weights must agree.
/// </summary>
public class DistillationFixtureTests
{
    /// <summary>Hands the lesson the fixture's teacher probabilities for the current step.</summary>
    private sealed class ScriptedTeacher(float[] probabilities, int batch, int classes) : ITeacher
    {
        public int Step { get; set; }

        public string Name => "scripted";

        public int Classes => classes;

        public void SoftTargets(Batch b, float temperature, Span<float> destination) =>
            probabilities.AsSpan(Step * batch * classes, batch * classes).CopyTo(destination);
    }

    [Theory]
    [InlineData("t4_alpha0.1")]
    [InlineData("t1_alpha0.5")]
    [InlineData("t8_alpha0")]
    public void TenStepsMatchPyTorch(string name)
    {
        var c = Fixture.Load("paradigms/distillation_steps.json")[name];
        int steps = c.Int("steps"), batch = c.Int("batch"), features = c.Int("features"), classes = c.Int("classes");
        var model = new Sequential(new Linear(features, c.Int("hidden")), new ReLU(), new Linear(c.Int("hidden"), classes));
        model.LoadStateDict(model.StateDict().Keys.ToDictionary(k => k, k => c.Tensor("init." + k)));
        var teacher = new ScriptedTeacher(c.Data("p"), batch, classes);
        var lesson = new DistillationLesson(teacher, c.Float("temperature"), c.Float("alpha"));
        var optimizer = new Sgd(model.Parameters().ToList(), c.Float("lr"), 0.9, 0, 0, nesterov: true);
        var x = c.Data("x");
        var y = c.Data("y").Select(v => (int)v).ToArray();
        var expectedLosses = c.Data("losses");
        model.Train();
        for (int s = 0; s < steps; s++)
        {
            teacher.Step = s;
            using var scope = TensorScope.Begin();
            var inputs = Tensor.From(x.AsSpan(s * batch * features, batch * features), batch, features);
            var b = new Batch(s, inputs, y[(s * batch)..((s + 1) * batch)], Enumerable.Range(0, batch).ToArray());
            var loss = lesson.Loss(model.Forward(inputs), b);
            Assert.Equal(expectedLosses[s], loss.Item(), 4);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        foreach (var (key, value) in model.StateDict())
            AssertClose.Equal(c.Data("final." + key), value.ToArray(), 1e-4, 1e-5, key);
    }
}
