using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Inference;

/// <summary>How <see cref="TiledInference"/> cuts an image into tiles.</summary>
public sealed record TileOptions
{
    /// <summary>Tile side in pixels; images no larger than this in both directions run in one piece.</summary>
    public int TileSize { get; init; } = 512;

    /// <summary>Overlap between neighbouring tiles in pixels; the overlap is cross-faded.</summary>
    public int Overlap { get; init; } = 64;

    /// <summary>Tiles run through the model at once (more = faster on a GPU, more memory).</summary>
    public int TilesPerBatch { get; init; } = 1;

    /// <summary>Checks the values and throws naming the bad one.</summary>
    public TileOptions Validate()
    {
        // the facts in the user's terms; each front end names the setting its way (CLI option, preset key)
        if (TileSize < 32) throw new SettingException("TileOptions.TileSize", $"the tile size must be at least 32 pixels, got {TileSize}");
        if (Overlap < 0 || Overlap * 2 >= TileSize)
            throw new SettingException("TileOptions.Overlap", $"the tile overlap must be at least 0 and less than half the tile size ({TileSize}), " +
                                        $"i.e. at most {(TileSize - 1) / 2}; got {Overlap}");
        if (TilesPerBatch < 1) throw new SettingException("TileOptions.TilesPerBatch", $"the number of tiles per batch must be at least 1, got {TilesPerBatch}");
        return this;
    }
}

/// <summary>
/// Runs an image-to-image model over a large image tile by tile with overlap and smooth blending, so memory is bounded by
/// the tile size, not the image size (MONAI's sliding-window inferer is the template). Each tile's contribution is
/// weighted by a separable ramp across the overlap (see <see cref="Ramp"/>), and the weighted sum is normalised, so
/// seams vanish and the network's own border effects at inner tile edges are discarded.
/// </summary>
public static class TiledInference
{
    /// <summary>
    /// Applies <paramref name="model"/> ([N,C,h,w] → [N,C,h,w], any h and w) to <paramref name="image"/> [C,H,W].
    /// Tiles are cut on the image's device (move the image to the model's device first, or keep it on the CPU and let
    /// <paramref name="toDevice"/> move each tile).
    /// </summary>
    /// <remarks>
    /// <paramref name="sizeMultiple"/> is the model's size multiple: a network pads a whole image at the bottom and right
    /// to it (reflect), so its own bottom/right border effect lands in the cropped padding. Tiled, the image is padded the
    /// same way first and cropped after, so the tiles at the bottom/right borders see what the whole image would (without
    /// it, tiles of exactly a multiple, e.g. 32 or 64, put a 2-3 px band at those borders).
    /// </remarks>
    public static Tensor Run(Tensor image, Func<Tensor, Tensor> model, TileOptions? options = null, Device? toDevice = null, int sizeMultiple = 1)
    {
        options = (options ?? new TileOptions()).Validate();
        if (image.dim() != 3) throw new ArgumentException($"expected one image [C,H,W], got [{string.Join(",", image.shape)}]");
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeMultiple, 1);
        int h0 = (int)image.shape[1], w0 = (int)image.shape[2];
        var device = toDevice ?? image.device;
        if (h0 <= options.TileSize && w0 <= options.TileSize)
        {
            using var whole = NewDisposeScope();
            return model(image.unsqueeze(0).to(device)).squeeze(0).to(image.device).MoveToOuterDisposeScope();
        }

        using var scope = NewDisposeScope();
        var padded = Networks.DeblurNetwork.PadToMultiple(image.unsqueeze(0), sizeMultiple).squeeze(0);
        return Tiles(padded, model, options, device)[.., ..h0, ..w0].contiguous().MoveToOuterDisposeScope();
    }

    private static Tensor Tiles(Tensor image, Func<Tensor, Tensor> model, TileOptions options, Device device)
    {
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        using var scope = NewDisposeScope();
        var output = zeros(c, h, w, dtype: ScalarType.Float32, device: image.device);
        var weight = zeros(1, h, w, dtype: ScalarType.Float32, device: image.device);
        var tiles = Windows(h, options.TileSize, options.Overlap)
            .SelectMany(y => Windows(w, options.TileSize, options.Overlap).Select(x => (y, x))).ToList();
        for (int start = 0; start < tiles.Count; start += options.TilesPerBatch)
        {
            using var batchScope = NewDisposeScope();
            var batch = tiles.Skip(start).Take(options.TilesPerBatch).ToList();
            var sizes = batch.Select(t => (th: Math.Min(options.TileSize, h - t.y), tw: Math.Min(options.TileSize, w - t.x))).ToList();
            // tiles of one batch share a size (edge tiles are shifted inwards by Windows, so all are full-size)
            var input = stack(batch.Select((t, i) => image[.., t.y..(t.y + sizes[i].th), t.x..(t.x + sizes[i].tw)]).ToArray()).to(device);
            var restored = model(input).to(image.device);
            for (int i = 0; i < batch.Count; i++)
            {
                var (ty, tx) = batch[i];
                var (th, tw) = sizes[i];
                var ramp = Ramp(th, options.Overlap, ty > 0, ty + th < h).view(1, th, 1) *
                           Ramp(tw, options.Overlap, tx > 0, tx + tw < w).view(1, 1, tw);
                output[.., ty..(ty + th), tx..(tx + tw)] += restored[i] * ramp;
                weight[.., ty..(ty + th), tx..(tx + tw)] += ramp;
            }
        }
        return (output / weight).MoveToOuterDisposeScope();
    }

    /// <summary>Tile origins along one axis: step = tile - overlap, the last tile shifted inwards to end at the edge.</summary>
    internal static IEnumerable<int> Windows(int length, int tile, int overlap)
    {
        if (length <= tile) { yield return 0; yield break; }
        int step = tile - overlap;
        int last = length - tile;
        for (int start = 0; ; start += step)
        {
            if (start >= last) { yield return last; yield break; }
            yield return start;
        }
    }

    /// <summary>
    /// Blending weights along one axis. On a side with a neighbouring tile the weight is 0 over the first quarter of the
    /// overlap (those pixels see the tile's artificial border and are discarded), rises as a raised cosine over the middle
    /// half and is 1 over the last quarter; the fall at the neighbour's side is the exact complement, so weights sum to 1
    /// in every overlap and every pixel keeps a positive total weight.
    /// </summary>
    private static Tensor Ramp(int length, int overlap, bool rampStart, bool rampEnd)
    {
        var r = ones(length, dtype: ScalarType.Float32);
        int n = Math.Min(overlap, length);
        if (n < 4) return r;
        int margin = n / 4, middle = n - 2 * margin;
        var rise = zeros(n, dtype: ScalarType.Float32);
        rise[margin..(margin + middle)] = 0.5f - 0.5f * cos(linspace(0, Math.PI, middle + 2, dtype: ScalarType.Float32)[1..^1]);
        rise[(margin + middle)..] = 1f;
        if (rampStart) r[..n] = rise;
        if (rampEnd) r[(length - n)..] = rise.flip(0);
        return r;
    }
}
