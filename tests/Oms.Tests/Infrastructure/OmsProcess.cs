using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Oms.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>oms</c> executable as its own process, the way an operator does:
/// one-off commands, or <c>oms serve</c> on a free port.
/// </summary>
public sealed class OmsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OmsProcess(Process process) => _process = process;

    public static string OmsDll => Path.Combine(AppContext.BaseDirectory, "oms.dll");

    /// <summary>Runs a one-off command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string> env, params string[] args)
    {
        using var p = Process.Start(StartInfo(env, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>oms serve</c> on a free loopback port and waits for <c>/healthz</c>.</summary>
    public static async Task<(OmsProcess Process, Uri BaseAddress)> ServeAsync(IDictionary<string, string> env)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var p = Process.Start(StartInfo(env, "serve", "--urls", url))!;
        var oms = new OmsProcess(p);
        p.OutputDataReceived += (_, e) => { lock (oms._output) oms._output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (oms._output) oms._output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            if (p.HasExited) throw new InvalidOperationException("oms serve exited: " + oms.Output);
            try
            {
                using var r = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (r.StatusCode == HttpStatusCode.OK) return (oms, new Uri(url));
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await oms.DisposeAsync();
        throw new TimeoutException("oms serve did not answer /healthz: " + oms.Output);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine or the process dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    private static ProcessStartInfo StartInfo(IDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.ArgumentList.Add(OmsDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
