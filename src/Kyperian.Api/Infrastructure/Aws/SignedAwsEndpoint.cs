using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime.Signing;

namespace Kyperian.Api.Infrastructure.Aws;

/// <summary>
/// One AWS service that we call over plain HTTP because its SDK package is not served here: its endpoint (the
/// service's regional one, or <c>ServiceUrl</c> for a local server) and requests signed with AWSSDK.Core's SigV4
/// signer and the credentials of <see cref="AwsCredentialsSource"/>.
/// </summary>
public sealed class SignedAwsEndpoint
{
    private readonly string _service;
    private readonly RegionEndpoint _region;
    private readonly AwsCredentialsSource _credentials;

    /// <param name="service">The signing name, also the endpoint's host prefix (<c>events</c>, <c>sns</c>).</param>
    /// <param name="region">The region to sign for, and to call when <paramref name="serviceUrl"/> is not set.</param>
    /// <param name="serviceUrl">A local server's address, else null or empty.</param>
    /// <param name="credentials">Where the signing credentials come from.</param>
    public SignedAwsEndpoint(string service, string region, string? serviceUrl, AwsCredentialsSource credentials)
    {
        _service = service;
        _region = RegionEndpoint.GetBySystemName(region);
        _credentials = credentials;
        Uri = new Uri(string.IsNullOrWhiteSpace(serviceUrl)
            ? $"https://{service}.{region}.amazonaws.com/"
            : serviceUrl.TrimEnd('/') + "/");
    }

    public Uri Uri { get; }

    /// <summary>A signed <c>POST /</c> of <paramref name="body"/>.</summary>
    /// <param name="body">The request body, as sent.</param>
    /// <param name="contentType">Its content type, signed with it.</param>
    /// <param name="target">The <c>X-Amz-Target</c> of a JSON protocol call, signed with it; null for the Query protocol.</param>
    /// <param name="cancellationToken">Cancels resolving the credentials.</param>
    public async Task<HttpRequestMessage> SignedPostAsync(byte[] body, string contentType, string? target, CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Post,
            RequestUri = Uri,
            Content = body,
        };
        signing.Headers["content-type"] = contentType;
        if (target is not null)
        {
            signing.Headers["x-amz-target"] = target;
        }

        var signed = await AWSSigV4Signer.SignAsync(
            signing,
            new AWSSigV4Parameters { Credentials = _credentials.Resolve(), Region = _region, Service = _service },
            cancellationToken);

        var message = new HttpRequestMessage(HttpMethod.Post, Uri)
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        foreach (var (name, value) in signed.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }
}
