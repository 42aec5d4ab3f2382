namespace MedDeblur.NotebookRunner;

/// <summary>A notebook cannot be read, validated or prepared for execution (bad file, JSON, parameter).</summary>
public sealed class NotebookException : Exception
{
    /// <summary>Creates the exception with a message naming the file or value and the problem.</summary>
    public NotebookException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NotebookException(string message, Exception inner) : base(message, inner) { }
}
