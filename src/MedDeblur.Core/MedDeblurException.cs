namespace MedDeblur;

/// <summary>Base type of every error the kit raises for bad input; its message says what and where.</summary>
public class MedDeblurException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public MedDeblurException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MedDeblurException(string message, Exception inner) : base(message, inner) { }
}
