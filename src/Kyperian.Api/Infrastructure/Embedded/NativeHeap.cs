using System.Runtime.InteropServices;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Keeps SQLite's native memory from growing with the number of threads that touch it. glibc gives every thread that
/// calls malloc under contention an arena of its own (up to eight per core) and rarely gives their memory back, so
/// reads on thread-pool threads let the process's RSS creep up with uptime; two arenas are plenty for one writer and a
/// few readers.
/// </summary>
internal static class NativeHeap
{
    private const int ArenaMaxParameter = -8; // M_ARENA_MAX
    private static int _limited;

    public static void LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _limited, 1) == 1)
        {
            return;
        }

        try
        {
            _ = MallOpt(ArenaMaxParameter, 2);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one, has no arenas to limit).
        }
    }

    // DllImport, not LibraryImport: two ints need no marshalling, and LibraryImport would need unsafe code in the project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallOpt(int parameter, int value);
#pragma warning restore SYSLIB1054
}
