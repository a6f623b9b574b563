using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Tests.Server;

/// <summary>
/// Real TLS handshakes on loopback against a server with a self-signed certificate: the agent's HTTP handler accepts
/// it only when it is the pinned one, and without a pin the system's roots refuse it.
/// </summary>
public sealed class ServerCertificatePinTests
{
    [Fact]
    public async Task APinnedSelfSignedServerCertificateIsAccepted()
    {
        using var certificate = SelfSigned();
        await using var server = await TlsServer.StartAsync(certificate);

        using var client = new HttpClient(ServerCertificatePin.CreateHandler(Sha256(certificate)));
        using var response = await client.GetAsync(server.Url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AServerWithAnotherCertificateIsRefusedWhenPinned()
    {
        using var certificate = SelfSigned();
        using var other = SelfSigned();
        await using var server = await TlsServer.StartAsync(certificate);

        using var client = new HttpClient(ServerCertificatePin.CreateHandler(Sha256(other)));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WithoutAPinTheSystemRootsVerifyTheServerAndASelfSignedOneIsRefused()
    {
        using var certificate = SelfSigned();
        await using var server = await TlsServer.StartAsync(certificate);

        using var client = new HttpClient(ServerCertificatePin.CreateHandler(null));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("AB:CD", false)]
    [InlineData("not hex", false)]
    [InlineData("ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89", true)]
    public void AThumbprintIs64HexCharactersWithOptionalColons(string text, bool valid) =>
        Assert.Equal(valid, ServerCertificatePin.Normalize(text) is not null);

    private static string Sha256(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=orchestrator.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A one-connection-at-a-time HTTPS responder: TLS with the given certificate, then "200 OK".</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private TlsServer(TcpListener listener, X509Certificate2 certificate)
        {
            _listener = listener;
            _loop = Task.Run(() => ServeAsync(certificate));
        }

        public Uri Url => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public static Task<TlsServer> StartAsync(X509Certificate2 certificate)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new TlsServer(listener, certificate));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }

        private async Task ServeAsync(X509Certificate2 certificate)
        {
            while (!_stop.IsCancellationRequested)
            {
                using var tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var tls = new SslStream(tcp.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(certificate);
                    var buffer = new byte[4096];
                    _ = await tls.ReadAsync(buffer, _stop.Token);
                    await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The client refused the certificate: that is what some tests expect.
                }
            }
        }
    }
}
