using System.Globalization;
using System.Text;
using MedDeblur.Display;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using SkiaSharp;

namespace MedDeblur.Reporting;

/// <summary>
/// An interactive before/after comparison of a blurry image and its restoration in plain HTML and JavaScript (no
/// library, works offline): the restoration covers the input up to a slider position, and mouse-wheel zoom and drag
/// pan move both images together (double-click resets). Used by report.html and the notebooks.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class BeforeAfterSlider : IHtmlDisplayable
{
    private static int counter;

    /// <summary>Creates a slider from two PNG images of the same size.</summary>
    /// <param name="beforePng">The blurry input (PNG bytes).</param>
    /// <param name="afterPng">The restoration (PNG bytes).</param>
    /// <param name="caption">Shown above the images.</param>
    /// <param name="displayWidth">Width on the page in CSS pixels (the height follows the aspect ratio).</param>
    public BeforeAfterSlider(byte[] beforePng, byte[] afterPng, string caption, int displayWidth = 512)
    {
        ArgumentNullException.ThrowIfNull(beforePng);
        ArgumentNullException.ThrowIfNull(afterPng);
        ArgumentOutOfRangeException.ThrowIfLessThan(displayWidth, 16);
        BeforePng = beforePng;
        AfterPng = afterPng;
        Caption = caption ?? "";
        var (w, h) = HtmlImage.PngSize(beforePng);
        DisplayWidth = Math.Min(displayWidth, w);
        DisplayHeight = (int)Math.Round((double)DisplayWidth * h / w);
    }

    /// <summary>The input image (PNG).</summary>
    public byte[] BeforePng { get; }

    /// <summary>The restored image (PNG).</summary>
    public byte[] AfterPng { get; }

    /// <summary>The caption.</summary>
    public string Caption { get; }

    /// <summary>Width on the page.</summary>
    public int DisplayWidth { get; }

    /// <summary>Height on the page.</summary>
    public int DisplayHeight { get; }

    /// <summary>A slider from two image files of any format the kit reads (converted to 8-bit PNG for display).</summary>
    public static BeforeAfterSlider FromFiles(string before, string after, string? caption = null, int displayWidth = 512) =>
        new(Png(before), Png(after), caption ?? $"{Path.GetFileName(before)}: blurry input | restored", displayWidth);

    /// <inheritdoc />
    public string ToHtml()
    {
        string id = "meddeblur-ba-" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var c = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<figure id=\"{id}\" style=\"margin:1em 0\"><figcaption>{Html.Encode(Caption)}</figcaption>");
        html.Append(c, $"<div class=\"ba-view\" style=\"position:relative;overflow:hidden;width:{DisplayWidth}px;height:{DisplayHeight}px;cursor:grab;user-select:none;background:#000\">");
        html.Append(c, $"<img class=\"ba-img\" alt=\"blurry input\" draggable=\"false\" src=\"data:image/png;base64,{Convert.ToBase64String(BeforePng)}\" style=\"position:absolute;left:0;top:0;width:{DisplayWidth}px;max-width:none;transform-origin:0 0\">");
        html.Append("<div class=\"ba-clip\" style=\"position:absolute;left:0;top:0;width:50%;height:100%;overflow:hidden\">");
        html.Append(c, $"<img class=\"ba-img\" alt=\"restored\" draggable=\"false\" src=\"data:image/png;base64,{Convert.ToBase64String(AfterPng)}\" style=\"position:absolute;left:0;top:0;width:{DisplayWidth}px;max-width:none;transform-origin:0 0\"></div>");
        html.Append("<div class=\"ba-line\" style=\"position:absolute;top:0;left:50%;width:2px;height:100%;background:#ff0\"></div></div>");
        html.Append(c, $"<div style=\"width:{DisplayWidth}px;display:flex;align-items:center;gap:.5em\"><small>restored</small>");
        html.Append("<input class=\"ba-range\" type=\"range\" min=\"0\" max=\"100\" value=\"50\" style=\"flex:1\"><small>blurry input</small></div>");
        html.Append("<small>wheel: zoom both; drag: pan both; double-click: reset</small></figure>");
        html.Append("<script type=\"text/javascript\">(function(){var f=document.getElementById('").Append(id).Append("');if(!f)return;")
            .Append("var v=f.querySelector('.ba-view'),c=f.querySelector('.ba-clip'),l=f.querySelector('.ba-line'),r=f.querySelector('.ba-range'),")
            .Append("im=f.querySelectorAll('.ba-img'),s=1,x=0,y=0,d=null;")
            .Append("function draw(){for(var i=0;i<im.length;i++)im[i].style.transform='translate('+x+'px,'+y+'px) scale('+s+')';}")
            .Append("r.addEventListener('input',function(){c.style.width=r.value+'%';l.style.left=r.value+'%';});")
            .Append("v.addEventListener('wheel',function(e){e.preventDefault();var b=v.getBoundingClientRect(),px=e.clientX-b.left,py=e.clientY-b.top,")
            .Append("k=e.deltaY<0?1.25:0.8,n=Math.min(32,Math.max(1,s*k));k=n/s;x=px-(px-x)*k;y=py-(py-y)*k;s=n;if(s==1){x=0;y=0;}draw();},{passive:false});")
            .Append("v.addEventListener('mousedown',function(e){d={x:e.clientX-x,y:e.clientY-y};v.style.cursor='grabbing';});")
            .Append("window.addEventListener('mousemove',function(e){if(!d)return;x=e.clientX-d.x;y=e.clientY-d.y;draw();});")
            .Append("window.addEventListener('mouseup',function(){d=null;v.style.cursor='grab';});")
            .Append("v.addEventListener('dblclick',function(){s=1;x=0;y=0;draw();});})();</script>");
        return html.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Caption} (before/after slider, {DisplayWidth}x{DisplayHeight})";

    private static byte[] Png(string path)
    {
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length > 24 && bytes[24] == 8) return bytes; // 8-bit PNG: as it is
        }
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var image = ImageIO.Read(path);
        using var bitmap = TensorBitmap.ToBitmap(image.Pixels);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
