namespace Dispatch.Grains; internal static class AssemblyMarker { }
