using MedDeblur.Configuration;
using MedDeblur.Downstream;
using MedDeblur.Training;

namespace MedDeblur.Tests.Downstream;

/// <summary>The <c>downstream</c> section of the presets and of run folders.</summary>
public sealed class DownstreamOptionsTests : TempFolderTest
{
    [Fact]
    public void Quick_preset_section_equals_the_defaults_and_bad_values_name_the_key()
    {
        // the defaults are the quick preset's (so run folders of the quick preset written before the section match it)
        Assert.Equal(new DownstreamOptions().Widths, Presets.Load("quick").Downstream.Widths);
        int[] same = [1];
        Assert.Equal(new DownstreamOptions() with { Widths = same }, Presets.Load("quick").Downstream with { Widths = same });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Presets.Load("smoke") with { Downstream = new DownstreamOptions { DetectionIoU = 1.5 } }).Validate());
        Assert.Contains("downstream.detectionIoU", e.Message);
    }

    [Fact]
    public void Run_folder_written_before_the_section_existed_is_continued_but_a_changed_section_is_refused()
    {
        var smoke = Presets.Load("smoke");
        var folder = new RunFolder(Temp);
        var old = smoke.ToJsonObject();
        old.Remove("downstream");
        File.WriteAllText(folder.OptionsPath, old.ToJsonString());
        folder.RefuseOtherOptions(smoke); // an older folder: no downstream key, continued

        File.WriteAllText(folder.OptionsPath, smoke.ToJson());
        var e = Assert.Throws<MedDeblurException>(() => folder.RefuseOtherOptions(smoke with { Downstream = smoke.Downstream with { Steps = 99 } }));
        Assert.Contains("differing: downstream", e.Message);
    }
}
