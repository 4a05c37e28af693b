using System.Collections;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kyperian.Lambda.Http;

/// <summary>
/// The feature collection of one invocation: the request translated from the API Gateway event and a buffered response,
/// the way Kestrel's connection object implements the HTTP features itself. Features set by middleware (response
/// compression, etc.) are kept beside it and win over the built-in ones.
/// </summary>
internal sealed class InvocationFeatures :
    IFeatureCollection,
    IHttpRequestFeature,
    IHttpResponseFeature,
    IHttpResponseBodyFeature,
    IHttpConnectionFeature,
    IHttpRequestIdentifierFeature,
    IHttpRequestLifetimeFeature,
    IHttpRequestBodyDetectionFeature
{
    private static readonly Type[] OwnFeatures =
    [
        typeof(IHttpRequestFeature),
        typeof(IHttpResponseFeature),
        typeof(IHttpResponseBodyFeature),
        typeof(IHttpConnectionFeature),
        typeof(IHttpRequestIdentifierFeature),
        typeof(IHttpRequestLifetimeFeature),
        typeof(IHttpRequestBodyDetectionFeature),
    ];

    private readonly ResponseBodyStream _responseStream;
    private Dictionary<Type, object?>? _extra;
    private int _revision;
    private PipeWriter? _responseWriter;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private CancellationTokenSource? _abort;
    private ILambdaInvocationFeature? _invocation;

    public InvocationFeatures()
    {
        _responseStream = new ResponseBodyStream(this);
    }

    // ---------------------------------------------------------------- IFeatureCollection

    public bool IsReadOnly => false;

    public int Revision => _revision;

    public object? this[Type key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            if (_extra is not null && _extra.TryGetValue(key, out var value))
            {
                return value;
            }

            if (key == typeof(ILambdaInvocationFeature))
            {
                return _invocation;
            }

            return IsOwnFeature(key) ? this : null;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            _extra ??= [];
            _extra[key] = value;
            _revision++;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (var type in OwnFeatures)
        {
            if (_extra is null || !_extra.ContainsKey(type))
            {
                yield return new KeyValuePair<Type, object>(type, this);
            }
        }

        if (_invocation is not null && (_extra is null || !_extra.ContainsKey(typeof(ILambdaInvocationFeature))))
        {
            yield return new KeyValuePair<Type, object>(typeof(ILambdaInvocationFeature), _invocation);
        }

        if (_extra is not null)
        {
            foreach (var pair in _extra)
            {
                if (pair.Value is not null)
                {
                    yield return new KeyValuePair<Type, object>(pair.Key, pair.Value);
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool IsOwnFeature(Type key)
    {
        foreach (var type in OwnFeatures)
        {
            if (type == key)
            {
                return true;
            }
        }

        return false;
    }

    // ---------------------------------------------------------------- IHttpRequestFeature

    public string Protocol { get; set; } = "HTTP/1.1";
    public string Scheme { get; set; } = "https";
    public string Method { get; set; } = "GET";
    public string PathBase { get; set; } = string.Empty;
    public string Path { get; set; } = "/";
    public string QueryString { get; set; } = string.Empty;
    public string RawTarget { get; set; } = string.Empty;
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
    public Stream Body { get; set; } = Stream.Null;

    // ---------------------------------------------------------------- IHttpRequestBodyDetectionFeature

    public bool CanHaveBody => Body.CanSeek ? Body.Length > 0 : Body != Stream.Null;

    // ---------------------------------------------------------------- IHttpConnectionFeature

    public string ConnectionId { get; set; } = string.Empty;
    public IPAddress? RemoteIpAddress { get; set; }
    public IPAddress? LocalIpAddress { get; set; }
    public int RemotePort { get; set; }
    public int LocalPort { get; set; }

    // ---------------------------------------------------------------- IHttpRequestIdentifierFeature

    public string TraceIdentifier { get; set; } = string.Empty;

    // ---------------------------------------------------------------- IHttpRequestLifetimeFeature

    public CancellationToken RequestAborted { get; set; }

    public void Abort() => _abort?.Cancel();

    // ---------------------------------------------------------------- IHttpResponseFeature

    private IHeaderDictionary _responseHeaders = new HeaderDictionary();

    public int StatusCode { get; set; } = StatusCodes.Status200OK;
    public string? ReasonPhrase { get; set; }
    IHeaderDictionary IHttpResponseFeature.Headers { get => _responseHeaders; set => _responseHeaders = value ?? new HeaderDictionary(); }
    public IHeaderDictionary ResponseHeaders => _responseHeaders;

    [Obsolete("Use IHttpResponseBodyFeature.Stream.")]
    Stream IHttpResponseFeature.Body { get => _responseStream; set => throw new NotSupportedException("Set IHttpResponseBodyFeature instead."); }

    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }

        (_onStarting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    // ---------------------------------------------------------------- IHttpResponseBodyFeature

    public Stream Stream => _responseStream;

    public PipeWriter Writer => _responseWriter ??= PipeWriter.Create(_responseStream, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering()
    {
        // The whole response goes back to Lambda in one payload: always buffered.
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => HasStarted ? Task.CompletedTask : FireOnStartingAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await SendFileFallback.SendFileAsync(_responseStream, path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync()
    {
        await StartAsync().ConfigureAwait(false);
        if (_responseWriter is not null)
        {
            await _responseWriter.FlushAsync().ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- Runtime side

    /// <summary>The Lambda invocation, exposed to the application as <see cref="ILambdaInvocationFeature"/>.</summary>
    public void Attach(ILambdaInvocationFeature invocation, CancellationTokenSource abort)
    {
        _invocation = invocation;
        _abort = abort;
        RequestAborted = abort.Token;
        TraceIdentifier = invocation.AwsRequestId;
        _revision++;
    }

    /// <summary>The buffered response body written so far.</summary>
    public ReadOnlySpan<byte> ResponseBody => _responseStream.Written;

    /// <summary>Ends the response the way Kestrel does after the pipeline returned: fire OnStarting, flush the writer.</summary>
    public Task EndResponseAsync() => CompleteAsync();

    /// <summary>Replaces whatever the application produced by an empty 500, as Kestrel does on an unhandled exception.</summary>
    public void SetUnhandledError()
    {
        if (_responseHeaders is HeaderDictionary { IsReadOnly: true })
        {
            _responseHeaders = new HeaderDictionary();
        }

        _responseHeaders.Clear();
        _responseStream.Reset();
        _responseWriter = null;
        StatusCode = StatusCodes.Status500InternalServerError;
        ReasonPhrase = null;
        _responseHeaders.ContentLength = 0;
    }

    /// <summary>Runs the OnCompleted callbacks (last registered first); the request scope is disposed through them.</summary>
    public async Task FireOnCompletedAsync()
    {
        if (_onCompleted is null)
        {
            return;
        }

        List<Exception>? errors = null;
        for (var i = _onCompleted.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onCompleted[i];
            try
            {
                await callback(state).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        _onCompleted = null;
        if (errors is not null)
        {
            throw new AggregateException("OnCompleted callbacks failed.", errors);
        }
    }

    internal async Task FireOnStartingAsync()
    {
        if (HasStarted)
        {
            return;
        }

        if (_onStarting is not null)
        {
            var callbacks = _onStarting;
            _onStarting = null;
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                var (callback, state) = callbacks[i];
                await callback(state).ConfigureAwait(false);
            }
        }

        HasStarted = true;
        if (_responseHeaders is HeaderDictionary headers)
        {
            headers.IsReadOnly = true;
        }
    }
}
