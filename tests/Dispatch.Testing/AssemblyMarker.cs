namespace Dispatch.Testing; internal static class AssemblyMarker { }
