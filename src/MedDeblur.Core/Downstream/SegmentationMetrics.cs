namespace MedDeblur.Downstream;

/// <summary>An axis-aligned box in pixels, inclusive on both ends.</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Bottom">Last row.</param>
/// <param name="Right">Last column.</param>
public readonly record struct PixelBox(int Top, int Left, int Bottom, int Right)
{
    /// <summary>Pixels covered.</summary>
    public long Area => (long)(Bottom - Top + 1) * (Right - Left + 1);

    /// <summary>Intersection over union of two boxes (0 when disjoint).</summary>
    public double IoU(PixelBox other)
    {
        int top = Math.Max(Top, other.Top), left = Math.Max(Left, other.Left);
        int bottom = Math.Min(Bottom, other.Bottom), right = Math.Min(Right, other.Right);
        if (bottom < top || right < left) return 0;
        long intersection = (long)(bottom - top + 1) * (right - left + 1);
        return (double)intersection / (Area + other.Area - intersection);
    }
}

/// <summary>One connected component of a binary mask.</summary>
/// <param name="Box">Its bounding box.</param>
/// <param name="Pixels">Its pixel count.</param>
public sealed record MaskComponent(PixelBox Box, int Pixels);

/// <summary>Detection counts of one image or a sum over images.</summary>
/// <param name="TruePositives">Predicted components matched to a ground-truth component.</param>
/// <param name="FalsePositives">Predicted components left unmatched.</param>
/// <param name="FalseNegatives">Ground-truth components left unmatched.</param>
public readonly record struct DetectionCounts(int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>TP / (TP + FP); 1 when nothing was predicted and nothing was there, 0 when nothing was predicted but something was.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? (FalseNegatives == 0 ? 1 : 0) : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN); 1 when there was nothing to find and nothing was predicted, 0 when there was nothing to find but something was predicted.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? (FalsePositives == 0 ? 1 : 0) : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>2 TP / (2 TP + FP + FN); 1 when there was nothing to find and nothing was predicted.</summary>
    public double F1 => TruePositives + FalsePositives + FalseNegatives == 0 ? 1 : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>The sum of two counts (micro-averaging over images).</summary>
    public static DetectionCounts operator +(DetectionCounts a, DetectionCounts b) =>
        new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives);
}

/// <summary>The scores of one predicted mask against its ground truth.</summary>
/// <param name="Dice">2|P∩G| / (|P|+|G|); 1 when both are empty.</param>
/// <param name="IoU">|P∩G| / |P∪G| (Jaccard); 1 when both are empty.</param>
/// <param name="Detection">Component matching counts.</param>
/// <param name="Predicted">Predicted components (objects, at least the minimum size).</param>
/// <param name="Truth">Ground-truth components (objects, at least the minimum size).</param>
/// <param name="Matches">Index pairs (predicted, truth) of the matched components.</param>
public sealed record SegmentationScore(double Dice, double IoU, DetectionCounts Detection, IReadOnlyList<MaskComponent> Predicted,
    IReadOnlyList<MaskComponent> Truth, IReadOnlyList<(int Predicted, int Truth)> Matches);

/// <summary>
/// Segmentation and detection metrics on binary masks (<c>bool[height, width]</c>): Dice and IoU over pixels, and
/// detection from connected components: every 8-connected component of at least a minimum size is one object, its
/// bounding box is the detection, and predicted boxes are matched one-to-one to ground-truth boxes greedily by
/// decreasing box IoU, a pair counting when its IoU is at least the threshold (the PASCAL VOC criterion).
/// </summary>
public static class SegmentationMetrics
{
    /// <summary>Dice coefficient; 1 when both masks are empty.</summary>
    public static double Dice(bool[,] predicted, bool[,] truth)
    {
        var (intersection, p, g) = Counts(predicted, truth);
        return p + g == 0 ? 1 : 2.0 * intersection / (p + g);
    }

    /// <summary>Intersection over union (Jaccard index); 1 when both masks are empty.</summary>
    public static double IoU(bool[,] predicted, bool[,] truth)
    {
        var (intersection, p, g) = Counts(predicted, truth);
        return p + g - intersection == 0 ? 1 : (double)intersection / (p + g - intersection);
    }

    /// <summary>The 8-connected components of <paramref name="mask"/> with at least <paramref name="minPixels"/> pixels, in
    /// raster order of their first pixel.</summary>
    public static IReadOnlyList<MaskComponent> Components(bool[,] mask, int minPixels = 1)
    {
        int h = mask.GetLength(0), w = mask.GetLength(1);
        var seen = new bool[h, w];
        var found = new List<MaskComponent>();
        var stack = new Stack<(int Y, int X)>();
        for (int y0 = 0; y0 < h; y0++)
            for (int x0 = 0; x0 < w; x0++)
            {
                if (!mask[y0, x0] || seen[y0, x0]) continue;
                int top = y0, left = x0, bottom = y0, right = x0, pixels = 0;
                seen[y0, x0] = true;
                stack.Push((y0, x0));
                while (stack.Count > 0)
                {
                    var (y, x) = stack.Pop();
                    pixels++;
                    top = Math.Min(top, y); bottom = Math.Max(bottom, y); left = Math.Min(left, x); right = Math.Max(right, x);
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int ny = y + dy, nx = x + dx;
                            if (ny < 0 || nx < 0 || ny >= h || nx >= w || seen[ny, nx] || !mask[ny, nx]) continue;
                            seen[ny, nx] = true;
                            stack.Push((ny, nx));
                        }
                }
                if (pixels >= minPixels) found.Add(new MaskComponent(new PixelBox(top, left, bottom, right), pixels));
            }
        return found;
    }

    /// <summary>Greedy one-to-one matching by decreasing box IoU; pairs below <paramref name="iouThreshold"/> never match.</summary>
    public static IReadOnlyList<(int Predicted, int Truth)> Match(IReadOnlyList<MaskComponent> predicted, IReadOnlyList<MaskComponent> truth,
        double iouThreshold = 0.5)
    {
        var pairs = new List<(double IoU, int P, int T)>();
        for (int p = 0; p < predicted.Count; p++)
            for (int t = 0; t < truth.Count; t++)
            {
                double iou = predicted[p].Box.IoU(truth[t].Box);
                if (iou >= iouThreshold) pairs.Add((iou, p, t));
            }
        var usedP = new HashSet<int>();
        var usedT = new HashSet<int>();
        var matches = new List<(int, int)>();
        foreach (var (_, p, t) in pairs.OrderByDescending(x => x.IoU).ThenBy(x => x.P).ThenBy(x => x.T))
            if (!usedP.Contains(p) && !usedT.Contains(t)) { usedP.Add(p); usedT.Add(t); matches.Add((p, t)); }
        return matches;
    }

    /// <summary>Dice, IoU and detection counts of one predicted mask.</summary>
    public static SegmentationScore Score(bool[,] predicted, bool[,] truth, int minComponentPixels = 1, double iouThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        var p = Components(predicted, minComponentPixels);
        var t = Components(truth, minComponentPixels);
        var matches = Match(p, t, iouThreshold);
        return new SegmentationScore(Dice(predicted, truth), IoU(predicted, truth),
            new DetectionCounts(matches.Count, p.Count - matches.Count, t.Count - matches.Count), p, t, matches);
    }

    private static (long Intersection, long Predicted, long Truth) Counts(bool[,] predicted, bool[,] truth)
    {
        if (predicted.GetLength(0) != truth.GetLength(0) || predicted.GetLength(1) != truth.GetLength(1))
            throw new ArgumentException($"mask sizes differ: {predicted.GetLength(1)}x{predicted.GetLength(0)} and {truth.GetLength(1)}x{truth.GetLength(0)}");
        long i = 0, p = 0, g = 0;
        for (int y = 0; y < predicted.GetLength(0); y++)
            for (int x = 0; x < predicted.GetLength(1); x++)
            {
                bool a = predicted[y, x], b = truth[y, x];
                if (a) p++;
                if (b) g++;
                if (a && b) i++;
            }
        return (i, p, g);
    }
}
