package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.VectorWidth.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The float vector work of the forward pass around the Q4 products: attention's dot products and weighted
 * sums, softmax exponentials, RMSNorm, SwiGLU, at the kernels' vector width ({@link VectorWidth#PATH}).
 */
public final class VectorMath {
    private VectorMath() {}

    /** Σ_i a[ao + i]·b[bo + i] for i < n (attention scores). */
    public static float dotF32(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo + i] += alpha·x[xo + i] for i < n (attention's weighted sum of values). */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /**
     * x[i] = exp(x[i] − max) for i &lt; n, where max is the largest of them; returns their sum (a softmax without
     * the division). Vectorized: the Vector API's EXP is an intrinsic (SVML on x86), where Math.exp is one call
     * per element — a million of them per token at 1000 tokens of context.
     */
    public static float expMinusMax(float[] x, int n) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (n >= F.length()) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i + F.length() <= n; i += F.length()) m = m.max(FloatVector.fromArray(F, x, i));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, x[i]);
        FloatVector vmax = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
        i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, x, i).sub(vmax).lanewise(VectorOperators.EXP);
            e.intoArray(x, i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        return sum;
    }

    /** out = x / rms(x) · w, the sum of squares in double (as Hugging Face's float32 path is close to). */
    public static void rmsNorm(float[] x, float[] w, float eps, float[] out) {
        int i = 0;
        double ss = 0;
        FloatVector acc = FloatVector.zero(F);
        for (; i + F.length() <= x.length; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            acc = v.fma(v, acc);
        }
        ss += acc.reduceLanes(VectorOperators.ADD);
        for (; i < x.length; i++) ss += x[i] * x[i];
        float inv = (float) (1.0 / Math.sqrt(ss / x.length + eps));
        i = 0;
        for (; i + F.length() <= x.length; i += F.length()) {
            FloatVector.fromArray(F, x, i).mul(inv).mul(FloatVector.fromArray(F, w, i)).intoArray(out, i);
        }
        for (; i < x.length; i++) out[i] = x[i] * inv * w[i];
    }

    /** g[i] = silu(g[i])·u[i] (SwiGLU), the exponentials vectorized. */
    public static void swiglu(float[] g, float[] u) {
        int i = 0;
        for (; i + F.length() <= g.length; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, g, i);
            a.div(a.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, u, i)).intoArray(g, i);
        }
        for (; i < g.length; i++) {
            float a = g[i];
            g[i] = a / (1f + (float) Math.exp(-a)) * u[i];
        }
    }
}
