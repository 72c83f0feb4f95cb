using System.Globalization;
using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mail2Sms.Web;

/// <summary>
/// <c>/metrics</c> in the Prometheus text exposition format 0.0.4: the counters this process keeps
/// (<see cref="GatewayMetrics"/>) and its channels' and SMPP binds' state, each labelled with its <c>node</c>; and, the same
/// from every node, the SMS in the store by status (one query per scrape, from counts kept without a row every node updates) and the nodes alive and dead.
/// </summary>
public static class MetricsEndpoint
{
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async (GatewayState state, CancellationToken cancellationToken) =>
            Results.Text(await ScrapeAsync(state, cancellationToken).ConfigureAwait(false), ContentType));

    /// <summary>Every metric as of now, in the exposition format.</summary>
    public static async Task<string> ScrapeAsync(GatewayState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var now = state.Clock.GetUtcNow();
        var census = await state.Storage.Dashboard.CensusAsync(now, cancellationToken).ConfigureAwait(false);
        var text = new Exposition();

        text.Family("mail2sms_node_info", "gauge", "This node (serve process), always 1: the node label its own counts carry (host:pid), its host and process ID.");
        text.Sample("mail2sms_node_info", [("node", GatewayMetrics.Node), ("host", Environment.MachineName), ("pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture))], 1);

        text.Family("mail2sms_emails_total", "counter", "Emails answered after DATA: accepted, or rejected for good (5xx) with the code of the reason the reply gives (message_too_large also at MAIL FROM, for the SIZE declared).");
        text.Own("mail2sms_emails_total", [("outcome", "accepted")], GatewayMetrics.EmailsAccepted);
        text.ByReason("mail2sms_emails_total", [("outcome", "rejected")], GatewayMetrics.EmailsRejected);
        text.Family("mail2sms_emails_deferred_total", "counter",
            "Emails answered 4xx, which the sending server keeps and tries again: internal_error when the gateway itself failed (a store that does not answer), locked_out after too many wrong passwords.");
        text.ByReason("mail2sms_emails_deferred_total", [], GatewayMetrics.EmailsDeferred);
        text.Family("mail2sms_smtp_recipients_refused_total", "counter",
            "Recipients refused at RCPT TO, before any data, by reason (relay_denied, unknown_mailbox, invalid_number, too_many_recipients, mixed_formats); an email all of whose recipients are refused never reaches intake.");
        text.ByReason("mail2sms_smtp_recipients_refused_total", [], GatewayMetrics.RecipientsRefused);
        text.Family("mail2sms_smtp_auth_failures_total", "counter", "SMTP AUTH attempts refused (535): a user unknown or a password wrong.");
        text.Own("mail2sms_smtp_auth_failures_total", [], GatewayMetrics.AuthFailures);
        text.Family("mail2sms_password_lockouts_total", "counter",
            "Lockouts begun after repeated wrong passwords (an account or operator and a client address, or a stranger's address), by path: sender_block, smtp_auth, dashboard, api_key.");
        foreach (var path in Enum.GetValues<Gateway.Intake.PasswordPath>())
        {
            text.Own("mail2sms_password_lockouts_total", [("path", GatewayMetrics.Label(path))], GatewayMetrics.Lockouts(path));
        }

        text.Family("mail2sms_smtp_connections_refused_total", "counter", "SMTP connections refused with 421: the gateway held Smtp:MaxConnections, or their client address Smtp:MaxConnectionsPerIp.");
        text.Own("mail2sms_smtp_connections_refused_total", [], GatewayMetrics.ConnectionsRefused);
        text.Family("mail2sms_smtp_refusals_total", "counter",
            "Refusals by the SMTP layer's own limits, by reason: connections (max_connections, per_ip, untrusted_proxy, bad_proxy_header), commands (line_too_long, bad_sequence, syntax_error, unknown_command, tls_required), header_too_large, data_budget, and sessions ended (command_timeout, session_timeout).");
        foreach (var reason in Enum.GetValues<SmtpRefusal>())
        {
            text.Own("mail2sms_smtp_refusals_total", [("reason", GatewayMetrics.Label(reason))], GatewayMetrics.SmtpRefusals(reason));
        }

        text.Family("mail2sms_sms", "gauge", "SMS in the store by status.");
        foreach (var (status, count) in census.ByStatus)
        {
            text.Sample("mail2sms_sms", [("status", status)], count);
        }

        text.Family("mail2sms_sms_queue_depth", "gauge", "Queued SMS due now, waiting for room in the SMSC window (the other queued SMS wait for a retry).");
        text.Sample("mail2sms_sms_queue_depth", [], census.Due);
        text.Family("mail2sms_sms_oldest_queued_age_seconds", "gauge", "How long ago the oldest SMS still queued was accepted; 0 when none is queued.");
        text.Sample("mail2sms_sms_oldest_queued_age_seconds", [], census.OldestQueuedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0);
        text.Family("mail2sms_sms_parts_submitted_total", "counter", "SMS parts the SMS centre took (submit_sm answered OK).");
        text.Own("mail2sms_sms_parts_submitted_total", [], GatewayMetrics.PartsSubmitted);

        text.Family("mail2sms_submit_duration_seconds", "histogram", "Round trip of each submit_sm, from sending it to its answer, pauses for throttling included.");
        for (var bucket = 0; bucket <= GatewayMetrics.SubmitBuckets.Count; bucket++)
        {
            var bound = bucket < GatewayMetrics.SubmitBuckets.Count ? Number(GatewayMetrics.SubmitBuckets[bucket]) : "+Inf";
            text.Own("mail2sms_submit_duration_seconds_bucket", [("le", bound)], GatewayMetrics.SubmitsWithin(bucket));
        }

        text.Own("mail2sms_submit_duration_seconds_sum", [], GatewayMetrics.SubmitTotal.TotalSeconds);
        text.Own("mail2sms_submit_duration_seconds_count", [], GatewayMetrics.SubmitCount);

        var binds = state.Binds();
        text.Family("mail2sms_smsc_window_in_use", "gauge", "Submits outstanding now over all the SMPP binds.");
        text.Own("mail2sms_smsc_window_in_use", [], binds.Sum(b => b.Outstanding));
        text.Family("mail2sms_smsc_binds", "gauge", "SMPP binds configured, and bound now.");
        text.Own("mail2sms_smsc_binds", [("state", "configured")], binds.Count);
        text.Own("mail2sms_smsc_binds", [("state", "bound")], binds.Count(b => b.Bound));
        text.Family("mail2sms_channel_up", "gauge", "Whether each channel SMS leave by (smpp, simulator) can take SMS now: 1 up, 0 down.");
        foreach (var channel in state.Channels())
        {
            text.Own("mail2sms_channel_up", [("channel", channel.Name)], channel.Health.Up ? 1 : 0);
        }

        text.Family("mail2sms_smsc_throttled_total", "counter", "Times the SMS centre told a bind to slow down (ESME_RTHROTTLED or ESME_RMSGQFUL).");
        text.Own("mail2sms_smsc_throttled_total", [], GatewayMetrics.ThrottlingEvents);

        var nodes = await state.Storage.Nodes.CountAsync(now - TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
        text.Family("mail2sms_nodes", "gauge",
            "Gateway nodes (serve processes) on this store: alive, running now; dead, found dead in the last 24 hours (killed, or no heartbeat) and their claims taken over, rather than stopped cleanly.");
        text.Sample("mail2sms_nodes", [("state", "alive")], nodes.Alive);
        text.Sample("mail2sms_nodes", [("state", "dead")], nodes.Dead);

        text.Family("mail2sms_replies_total", "counter", "Replies from mobiles: emailed to the sender of the SMS they answer, emailed but ambiguous, or unmatched.");
        foreach (var outcome in Enum.GetValues<ReplyOutcome>())
        {
            text.Own("mail2sms_replies_total", [("outcome", outcome.ToString().ToLowerInvariant())], GatewayMetrics.Replies(outcome));
        }

        text.Family("mail2sms_replies_assigned_total", "counter", "Unmatched or ambiguous replies an operator assigned by hand on the dashboard to the SMS they answer.");
        text.Own("mail2sms_replies_assigned_total", [], GatewayMetrics.RepliesAssigned);

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // The text format: a HELP and a TYPE line per family, then a line per sample.
    private sealed class Exposition
    {
        private readonly StringBuilder _text = new();

        public void Family(string name, string type, string help) =>
            _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                .Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

        // A count this process keeps, labelled with its node; the store's figures are the same from every node and carry none.
        public void Own(string name, IReadOnlyList<(string Name, string Value)> labels, double value) => Sample(name, [("node", GatewayMetrics.Node), .. labels], value);

        public void Sample(string name, IReadOnlyList<(string Name, string Value)> labels, double value)
        {
            _text.Append(name);
            if (labels.Count > 0)
            {
                _text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
            }

            _text.Append(' ').Append(Number(value)).Append('\n');
        }

        // A sample per reason counted at least once, its code as the reason label.
        public void ByReason(string name, IReadOnlyList<(string Name, string Value)> labels, Func<ReasonCode, long> count)
        {
            foreach (var reason in Enum.GetValues<ReasonCode>().Where(r => count(r) > 0))
            {
                Own(name, [.. labels, ("reason", GatewayMetrics.Label(reason))], count(reason));
            }
        }

        public override string ToString() => _text.ToString();

        private static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
