package dev.synthiabot.bot.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Times every REST call JDA makes to Discord (by method and status class) and counts the 429 answers, as an OkHttp
 * interceptor on JDA's HTTP client: {@code synthia_discord_rest_seconds{method,status}},
 * {@code synthia_discord_rate_limited_total}. Routes are not tags (ids in them would make a series per message).
 */
public final class DiscordRestMetrics implements Interceptor {
    private final BotMetrics metrics;

    public DiscordRestMetrics(BotMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response intercept(Interceptor.Chain chain) throws IOException {
        long t0 = System.nanoTime();
        String method = chain.request().method();
        try {
            Response r = chain.proceed(chain.request());
            record(method, r.code() == 429 ? "429" : r.code() / 100 + "xx", t0);
            if (r.code() == 429) Counter.builder("synthia.discord.rate.limited").description("429 answers from Discord").register(metrics.registry()).increment();
            return r;
        } catch (IOException e) {
            record(method, "io_error", t0);
            throw e;
        }
    }

    private void record(String method, String status, long t0) {
        Timer.builder("synthia.discord.rest").tag("method", method).tag("status", status).description("Discord REST calls")
            .register(metrics.registry()).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
