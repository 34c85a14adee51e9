namespace Memic.Benchmarks;

/// <summary>
/// L2-regularised logistic regression by Newton's method (iteratively reweighted least squares) on standardised
/// features; the fitted weights are returned on the raw feature scale so the app applies them without the statistics.
/// A dozen features and tens of thousands of rows converge in a few iterations.
/// </summary>
internal static class LogisticRegression
{
    public static (double Bias, double[] Weights) Fit(IReadOnlyList<double[]> x, IReadOnlyList<bool> y, double lambda)
    {
        var n = x.Count;
        var d = x[0].Length;
        var mean = new double[d];
        var scale = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = x.Average(r => r[j]);
            var sd = Math.Sqrt(x.Average(r => (r[j] - mean[j]) * (r[j] - mean[j])));
            scale[j] = sd < 1e-9 ? 1 : sd;
        }

        // w[0] is the bias (not regularised), w[1..] the standardised weights.
        var w = new double[d + 1];
        var z = new double[d + 1];
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var gradient = new double[d + 1];
            var hessian = new double[d + 1, d + 1];
            for (var i = 0; i < n; i++)
            {
                z[0] = 1;
                for (var j = 0; j < d; j++)
                {
                    z[j + 1] = (x[i][j] - mean[j]) / scale[j];
                }

                var dot = 0.0;
                for (var j = 0; j <= d; j++)
                {
                    dot += w[j] * z[j];
                }

                var p = 1 / (1 + Math.Exp(-dot));
                var residual = p - (y[i] ? 1 : 0);
                var weight = Math.Max(p * (1 - p), 1e-9);
                for (var j = 0; j <= d; j++)
                {
                    gradient[j] += residual * z[j];
                    for (var k = 0; k <= j; k++)
                    {
                        hessian[j, k] += weight * z[j] * z[k];
                    }
                }
            }

            for (var j = 1; j <= d; j++)
            {
                gradient[j] += lambda * w[j];
                hessian[j, j] += lambda;
            }

            for (var j = 0; j <= d; j++)
            {
                for (var k = j + 1; k <= d; k++)
                {
                    hessian[j, k] = hessian[k, j];
                }
            }

            var step = Solve(hessian, gradient);
            var change = 0.0;
            for (var j = 0; j <= d; j++)
            {
                w[j] -= step[j];
                change = Math.Max(change, Math.Abs(step[j]));
            }

            if (change < 1e-8)
            {
                break;
            }
        }

        var weights = new double[d];
        var bias = w[0];
        for (var j = 0; j < d; j++)
        {
            weights[j] = w[j + 1] / scale[j];
            bias -= weights[j] * mean[j];
        }

        return (bias, weights);
    }

    /// <summary>Gaussian elimination with partial pivoting; the regularised Hessian is positive definite.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var v = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(m[row, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = row;
                }
            }

            for (var k = 0; k < n; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            }

            (v[col], v[pivot]) = (v[pivot], v[col]);
            for (var row = col + 1; row < n; row++)
            {
                var factor = m[row, col] / m[col, col];
                for (var k = col; k < n; k++)
                {
                    m[row, k] -= factor * m[col, k];
                }

                v[row] -= factor * v[col];
            }
        }

        var result = new double[n];
        for (var row = n - 1; row >= 0; row--)
        {
            var sum = v[row];
            for (var k = row + 1; k < n; k++)
            {
                sum -= m[row, k] * result[k];
            }

            result[row] = sum / m[row, row];
        }

        return result;
    }
}
