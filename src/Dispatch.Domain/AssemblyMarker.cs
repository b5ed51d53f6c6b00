namespace Dispatch.Domain; internal static class AssemblyMarker { }
