using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// The README's service install, as an operator does it: the publish command run as written (on a copy of the
/// sources), the single executable it makes run by itself (no dotnet), an admin command, the list, and a stop by
/// SIGTERM; with systemd's readiness protocol and the unit file checked by systemd's own tool.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed class ServiceInstallTests : IDisposable
{
    private static readonly TimeSpan s_publish = TimeSpan.FromMinutes(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("salpre-service-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_published_executable_serves_as_systemd_runs_it_and_stops_cleanly_on_SIGTERM()
    {
        var published = await PublishAsync();
        // No assembly or native library beside the executable: one file, and its settings.
        Assert.DoesNotContain(Directory.GetFiles(published), file => Path.GetExtension(file) is ".dll" or ".so" or ".pdb");
        // What deploy/install.sh copies to /opt/salpre-gateway, and nothing else.
        var installed = Directory.CreateDirectory(Path.Combine(_folder, "opt")).FullName;
        foreach (var file in new[] { "Salpre.Gateway", "appsettings.json" })
        {
            File.Copy(Path.Combine(published, file), Path.Combine(installed, file));
        }
        var executable = Path.Combine(installed, "Salpre.Gateway");
        var state = Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName;
        var environment = new Dictionary<string, string?>
        {
            ["Storage__ConnectionString"] = $"Data Source={Path.Combine(state, "salpre.db")}",
            ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Directory.CreateDirectory(Path.Combine(_folder, "cache")).FullName,
            // Not a .NET host: nothing of the SDK's may be borrowed.
            ["DOTNET_ROOT"] = null,
            ["PATH"] = "/usr/bin:/bin",
        };

        await using (var admin = GatewayProcess.StartCommand(state, environment, executable, "accounts", "create", "--name", "service", "--json"))
        {
            Assert.Equal(0, await admin.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            environment["KEY"] = JsonNode.Parse(admin.Output.Trim().Split('\n')[^1])!["secret_key"]!.GetValue<string>();
        }

        // systemd's side of Type=notify: a datagram socket in NOTIFY_SOCKET, and the gateway a child of a process
        // named systemd (which is how the gateway knows it runs as a service).
        var socketPath = Path.Combine(_folder, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        environment["NOTIFY_SOCKET"] = socketPath;
        var systemd = Path.Combine(_folder, "systemd");
        File.Copy("/bin/sh", systemd);
        await using var gateway = GatewayProcess.StartCommand(state, environment, systemd, "-c",
            "trap 'kill -TERM $child' TERM; \"$@\" & child=$!; wait $child; wait $child", "systemd", executable, "--urls", "http://127.0.0.1:0");

        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("READY=1", await ReceiveAsync(notify));
        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Add("account-secret-key", environment["KEY"]);
        var page = JsonNode.Parse(await client.GetStringAsync("/api/gateway/v1/call/list?per_page=10", TestContext.Current.CancellationToken))!;
        Assert.Equal("success", page["status"]!.GetValue<string>());

        // The backup unit's command, as systemd would run it ($$ and %% unescaped) beside the serving gateway.
        var backups = Directory.CreateDirectory(Path.Combine(_folder, "backups")).FullName;
        var backupCommand = BackupUnitCommand().Replace("/opt/salpre-gateway/Salpre.Gateway", executable, StringComparison.Ordinal)
            .Replace("/var/lib/salpre-backups", backups, StringComparison.Ordinal);
        await using (var backup = GatewayProcess.StartCommand(state, environment, "/bin/sh", "-c", backupCommand))
        {
            Assert.True(await backup.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, backup.Output);
        }
        var copy = Assert.Single(Directory.GetFiles(backups));
        Assert.Matches(@"salpre-\d{8}T\d{6}Z\.db$", copy);
        Assert.True(new FileInfo(copy).Length > 0);

        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(45)));
        Assert.Equal("STOPPING=1", await ReceiveAsync(notify));
        Assert.Contains("Application is shutting down", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unit_file_passes_systemds_own_check()
    {
        var unit = await File.ReadAllTextAsync(Path.Combine(GatewayProcess.RepositoryRoot(), "deploy", "salpre-gateway.service"), TestContext.Current.CancellationToken);
        Assert.Contains("ExecStart=/opt/salpre-gateway/Salpre.Gateway\n", unit, StringComparison.Ordinal);
        Assert.Contains("User=salpre\n", unit, StringComparison.Ordinal);
        Assert.Contains("StateDirectory=salpre\n", unit, StringComparison.Ordinal);
        Assert.Contains("Restart=on-failure\n", unit, StringComparison.Ordinal);
        // The executable and the settings where this machine has them; the rest as written.
        var environmentFile = Path.Combine(_folder, "gateway.env");
        File.Copy(Path.Combine(GatewayProcess.RepositoryRoot(), "deploy", "gateway-sqlite.env"), environmentFile);
        var copy = Path.Combine(_folder, "salpre-gateway.service");
        await File.WriteAllTextAsync(copy, unit
            .Replace("/opt/salpre-gateway/Salpre.Gateway", "/bin/true", StringComparison.Ordinal)
            .Replace("/etc/salpre/gateway.env", environmentFile, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        // The daily backup's units, with the settings where this machine has them.
        var backupUnit = Path.Combine(_folder, "salpre-backup.service");
        var backupTimer = Path.Combine(_folder, "salpre-backup.timer");
        await File.WriteAllTextAsync(backupUnit, (await File.ReadAllTextAsync(Deploy("salpre-backup.service"), TestContext.Current.CancellationToken))
            .Replace("/etc/salpre/gateway.env", environmentFile, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        File.Copy(Deploy("salpre-backup.timer"), backupTimer);

        var verified = await Shell.RunAsync("systemd-analyze", "verify", copy, backupUnit, backupTimer);

        Assert.True(verified.Code == 0 && verified.Error.Length == 0 && verified.Output.Length == 0, $"{verified.Output}{verified.Error}");
    }

    private static string Deploy(string file) => Path.Combine(GatewayProcess.RepositoryRoot(), "deploy", file);

    /// <summary>What the backup unit's ExecStart runs with /bin/sh -c, as systemd hands it over.</summary>
    private static string BackupUnitCommand()
    {
        var line = File.ReadAllLines(Deploy("salpre-backup.service")).Single(line => line.StartsWith("ExecStart=/bin/sh -c '", StringComparison.Ordinal));
        return line["ExecStart=/bin/sh -c '".Length..^1].Replace("$$", "$", StringComparison.Ordinal).Replace("%%", "%", StringComparison.Ordinal);
    }

    /// <summary>The sources the gateway is built from, copied without build output, published by the README's command.</summary>
    private async Task<string> PublishAsync()
    {
        var root = GatewayProcess.RepositoryRoot();
        var copy = Directory.CreateDirectory(Path.Combine(_folder, "sources")).FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            File.Copy(Path.Combine(root, file), Path.Combine(copy, file));
        }
        foreach (var project in new[] { "Salpre.Gateway", "Salpre.Storage" })
        {
            CopyWithoutBuildOutput(Path.Combine(root, "src", project), Path.Combine(copy, "src", project));
        }
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"), TestContext.Current.CancellationToken);
        var command = readme.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("dotnet publish ", StringComparison.Ordinal));

        await using var publish = GatewayProcess.StartCommand(copy, new Dictionary<string, string?>(), "bash", "-c", command);
        Assert.True(await publish.WaitForExitAsync(s_publish) == 0, publish.Output);
        return Path.Combine(copy, "dist", "salpre-gateway");
    }

    private static void CopyWithoutBuildOutput(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj" or "data")))
        {
            CopyWithoutBuildOutput(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received).Trim();
    }

}
