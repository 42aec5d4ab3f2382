namespace MedDeblur;

/// <summary>Durations for people: <c>hh:mm:ss</c>, with a day count in front from 24 hours on (a paper-preset run on a
/// CPU takes days; <c>hh</c> alone would wrap).</summary>
public static class Durations
{
    /// <summary>"05:03:09" or "11d 02:13:20".</summary>
    public static string Format(TimeSpan duration) =>
        duration.ToString(duration.TotalDays >= 1 ? @"d\d\ hh\:mm\:ss" : @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);
}
