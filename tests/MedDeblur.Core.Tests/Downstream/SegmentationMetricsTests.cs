using MedDeblur.Downstream;

namespace MedDeblur.Tests.Downstream;

/// <summary>Dice, IoU and component detection on small masks whose values are computed by hand in the comments.</summary>
public sealed class SegmentationMetricsTests
{
    /// <summary>A 10x10 mask with the given inclusive rectangles (top, left, bottom, right) set.</summary>
    private static bool[,] Mask(params (int Top, int Left, int Bottom, int Right)[] boxes)
    {
        var mask = new bool[10, 10];
        foreach (var (t, l, b, r) in boxes)
            for (int y = t; y <= b; y++)
                for (int x = l; x <= r; x++)
                    mask[y, x] = true;
        return mask;
    }

    // truth: A = rows 1-3 x cols 1-3 (9 px), B = rows 6-7 x cols 6-8 (6 px): 15 px, 2 objects
    private static readonly bool[,] Truth = Mask((1, 1, 3, 3), (6, 6, 7, 8));

    // prediction: A' = rows 1-3 x cols 2-4 (9 px; 6 px inside A), C = rows 8-9 x cols 0-1 (4 px, a false alarm); B missed
    private static readonly bool[,] Predicted = Mask((1, 2, 3, 4), (8, 0, 9, 1));

    [Fact]
    public void Dice_and_IoU_match_the_hand_computed_values()
    {
        // |P∩G| = 6, |P| = 13, |G| = 15: Dice = 12/28, IoU = 6/(13+15-6) = 6/22
        Assert.Equal(12.0 / 28, SegmentationMetrics.Dice(Predicted, Truth), 12);
        Assert.Equal(6.0 / 22, SegmentationMetrics.IoU(Predicted, Truth), 12);
        Assert.Equal(1.0, SegmentationMetrics.Dice(Truth, Truth), 12);
        Assert.Equal(0.0, SegmentationMetrics.IoU(Mask((0, 0, 0, 0)), Mask((9, 9, 9, 9))), 12);
    }

    [Fact]
    public void Detection_matches_boxes_at_IoU_half_and_counts_the_false_alarm_and_the_miss()
    {
        // box A' vs box A: intersection rows 1-3 x cols 2-3 = 6, union 9+9-6 = 12: IoU exactly 0.5, a match at >= 0.5
        var score = SegmentationMetrics.Score(Predicted, Truth, minComponentPixels: 1, iouThreshold: 0.5);
        Assert.Equal([new PixelBox(1, 2, 3, 4), new PixelBox(8, 0, 9, 1)], score.Predicted.Select(c => c.Box));
        Assert.Equal([new PixelBox(1, 1, 3, 3), new PixelBox(6, 6, 7, 8)], score.Truth.Select(c => c.Box));
        Assert.Equal(new DetectionCounts(1, 1, 1), score.Detection); // A'-A matched; C false positive; B false negative
        Assert.Equal(0.5, score.Detection.Precision, 12);
        Assert.Equal(0.5, score.Detection.Recall, 12);
        Assert.Equal(0.5, score.Detection.F1, 12);

        // a stricter threshold rejects the 0.5 pair: nothing matches
        Assert.Equal(new DetectionCounts(0, 2, 2), SegmentationMetrics.Score(Predicted, Truth, 1, 0.51).Detection);

        // objects must have 5 pixels: C (4 px) is no detection; precision 1/1, recall 1/2, F1 = 2/(2+0+1)
        var sized = SegmentationMetrics.Score(Predicted, Truth, minComponentPixels: 5);
        Assert.Equal(new DetectionCounts(1, 0, 1), sized.Detection);
        Assert.Equal(2.0 / 3, sized.Detection.F1, 12);
        Assert.Equal(12.0 / 28, sized.Dice, 12); // Dice still counts every pixel
    }

    [Fact]
    public void Components_are_8_connected_and_matching_is_one_to_one()
    {
        // two pixels touching at a corner form one object
        var diagonal = new bool[3, 3];
        diagonal[0, 0] = diagonal[1, 1] = true;
        var one = Assert.Single(SegmentationMetrics.Components(diagonal));
        Assert.Equal((new PixelBox(0, 0, 1, 1), 2), (one.Box, one.Pixels));

        // one predicted box over two identical true boxes matches one of them only
        var truth = Mask((2, 2, 4, 4), (2, 6, 4, 8));
        var predicted = Mask((2, 2, 4, 4));
        Assert.Equal(new DetectionCounts(1, 0, 1), SegmentationMetrics.Score(predicted, truth).Detection);
    }

    [Fact]
    public void Empty_prediction_and_truth_score_one_and_empty_prediction_of_an_object_scores_zero()
    {
        var empty = new bool[10, 10];
        var both = SegmentationMetrics.Score(empty, empty);
        Assert.Equal((1.0, 1.0, 1.0, 1.0, 1.0), (both.Dice, both.IoU, both.Detection.Precision, both.Detection.Recall, both.Detection.F1));
        var missed = SegmentationMetrics.Score(empty, Truth);
        Assert.Equal((0.0, 0.0, 0.0, 0.0, 0.0), (missed.Dice, missed.IoU, missed.Detection.Precision, missed.Detection.Recall, missed.Detection.F1));
        var summed = new DetectionCounts(1, 0, 1) + new DetectionCounts(0, 1, 1);
        Assert.Equal(new DetectionCounts(1, 1, 2), summed);
        Assert.Equal(2.0 / (2 + 1 + 2), summed.F1, 12);
    }

    [Fact]
    public void Masks_of_different_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SegmentationMetrics.Dice(new bool[2, 3], new bool[3, 2]));
    }
}
