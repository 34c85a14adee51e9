using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>POST /chat (CONTRACT §7): extractive answers without a model, answers from an OpenAI-compatible model with one.</summary>
public sealed class ChatTests(DocumentCorpus corpus) : IClassFixture<DocumentCorpus>
{
    private const string BoilerQuestion = "How often must the boiler be serviced?";
    private const string BoilerSentence = "serviced every twelve months by a certified technician";
    private const string ConfiguredModel = "memic-test-model";
    private const string ModelApiKey = "sk-test-key-not-for-logs-4711";

    private static async Task<JsonElement> ChatAsync(HttpClient client, object request, string surface = "/api/v1")
    {
        var body = await (await client.PostAsJsonAsync(surface + "/chat", request, Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("answer").GetString()));
        return body;
    }

    private static List<JsonElement> Citations(JsonElement body) => [.. body.GetProperty("citations").EnumerateArray()];

    private static List<JsonElement> Results(JsonElement body) => [.. body.GetProperty("results").GetProperty("semantic").EnumerateArray()];

    private static string Answer(JsonElement body) => body.GetProperty("answer").GetString()!;

    private static string Model(JsonElement body) => body.GetProperty("model").GetString()!;

    [Theory]
    [InlineData("/api/v1", false)]
    [InlineData("/api/v1/sdk", true)]
    public async Task Without_a_model_the_answer_quotes_the_key_sentence_and_cites_its_file_page_and_passage(string surface, bool asMessages)
    {
        object request = asMessages
            ? new { messages = new[] { new { role = "user", content = "Hello" }, new { role = "assistant", content = "Hi, ask me about the facilities." }, new { role = "user", content = BoilerQuestion } } }
            : new { question = BoilerQuestion };

        var body = await ChatAsync(corpus.Acme, request, surface);

        Assert.Equal(BoilerQuestion, body.GetProperty("question").GetString());
        Assert.Contains(BoilerSentence, Answer(body), StringComparison.Ordinal);
        Assert.Contains("[1]", Answer(body), StringComparison.Ordinal);
        Assert.StartsWith("extractive", Model(body), StringComparison.Ordinal);
        Assert.Contains("no language model", Model(body), StringComparison.Ordinal);
        var first = Citations(body)[0];
        Assert.Equal(corpus.AcmeFiles["facilities.pdf"], first.GetProperty("file_id").GetGuid());
        Assert.Equal("facilities.pdf", first.GetProperty("file_name").GetString());
        Assert.Equal(2, first.GetProperty("page").GetInt32());
        Assert.Contains("The boiler must be serviced every twelve months", first.GetProperty("passage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_has_exactly_the_contract_fields_with_search_shaped_routing_and_results()
    {
        var body = await ChatAsync(corpus.Acme, new { question = BoilerQuestion });

        Assert.Equal(["answer", "citations", "model", "question", "results", "routing"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["file_id", "file_name", "page", "passage"], Citations(body)[0].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["connector_id", "connector_name", "reasoning", "route", "sql_explanation", "sql_generated"], body.GetProperty("routing").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("semantic", body.GetProperty("routing").GetProperty("route").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("results").GetProperty("structured").ValueKind);
        Assert.Equal(
            ["bounding_boxes", "category", "chunk_id", "chunk_index", "content", "document_type", "end_page", "file_id", "file_name", "mime_type",
             "page_number", "project_id", "reference_id", "score", "start_page", "tags", "token_count"],
            Results(body)[0].EnumerateObject().Select(p => p.Name).Order());
        Assert.All(Citations(body), c => Assert.Contains(c.GetProperty("file_id").GetGuid(), Results(body).Select(r => r.GetProperty("file_id").GetGuid())));
    }

    [Fact]
    public async Task A_paraphrased_question_gets_the_sentence_that_answers_it()
    {
        var body = await ChatAsync(corpus.Acme, new { question = "How many days of annual leave do staff earn?" }, "/api/v1/sdk");

        Assert.Contains("2.5 days of paid vacation per month worked", Answer(body), StringComparison.Ordinal);
        var first = Citations(body)[0];
        Assert.Equal("handbook.docx", first.GetProperty("file_name").GetString());
        Assert.Equal(2, first.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task Nothing_found_gives_a_non_empty_answer_that_says_so_and_cites_nothing()
    {
        var body = await ChatAsync(corpus.Acme, new { question = "recipe for chocolate lava cake" });

        Assert.Contains("No passages", Answer(body), StringComparison.Ordinal);
        Assert.Empty(Citations(body));
        Assert.Empty(Results(body));
    }

    [Fact]
    public async Task Chat_never_cites_another_environment_files()
    {
        var globex = await ChatAsync(corpus.Globex, new { question = "How often are the boilers serviced?", min_score = 0.0, top_k = 20 });
        var acme = await ChatAsync(corpus.Acme, new { question = "Globex boilers are serviced every six months by our own engineers", min_score = 0.0, top_k = 20 });
        var acmeByGlobexFile = await ChatAsync(corpus.Acme, new { question = "boilers serviced every six months", min_score = 0.0, file_ids = new[] { corpus.GlobexFiles["boilers.txt"] } });

        Assert.Contains("six months", Answer(globex), StringComparison.Ordinal);
        Assert.DoesNotContain("twelve", Answer(globex), StringComparison.Ordinal);
        Assert.NotEmpty(Citations(globex));
        Assert.All(Citations(globex).Concat(Results(globex)), c => Assert.Contains(c.GetProperty("file_id").GetGuid(), corpus.GlobexFiles.Values));
        Assert.NotEmpty(Citations(acme));
        Assert.All(Citations(acme).Concat(Results(acme)), c => Assert.Contains(c.GetProperty("file_id").GetGuid(), corpus.AcmeFiles.Values));
        Assert.DoesNotContain("Globex", Answer(acme), StringComparison.Ordinal);
        Assert.Empty(Citations(acmeByGlobexFile));
        Assert.Empty(Results(acmeByGlobexFile));
    }

    [Fact]
    public async Task Top_k_defaults_to_five_and_allows_up_to_twenty()
    {
        var byDefault = await ChatAsync(corpus.Acme, new { question = "garden widget blue box warranty", min_score = 0.0 });
        var twenty = await ChatAsync(corpus.Acme, new { question = "garden widget blue box warranty", min_score = 0.0, top_k = 20 });

        Assert.Equal(5, Results(byDefault).Count);
        Assert.True(Results(twenty).Count > 5, $"{Results(twenty).Count} results");
        Assert.InRange(Citations(twenty).Count, 1, 3);
    }

    [Theory]
    [InlineData("{}", "body.question")]
    [InlineData("{\"question\": \"\"}", "body.question")]
    [InlineData("{\"question\": 42}", "body.question")]
    [InlineData("{\"question\": \"boiler\", \"top_k\": 21}", "body.top_k")]
    [InlineData("{\"question\": \"boiler\", \"min_score\": 2}", "body.min_score")]
    [InlineData("{\"question\": \"boiler\", \"force_route\": \"magic\"}", "body.force_route")]
    [InlineData("{\"messages\": []}", "body.messages")]
    [InlineData("{\"messages\": \"How often?\"}", "body.messages")]
    [InlineData("{\"messages\": [\"How often?\"]}", "body.messages.0")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"robot\", \"content\": \"beep\"}]}", "body.messages.1.role")]
    [InlineData("{\"messages\": [{\"content\": \"Hi\"}]}", "body.messages.0.role")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hi\"}]}]}", "body.messages.0.content")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "body.messages.0.content")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]}", "body.messages.0.content")]
    [InlineData("{\"messages\": [{\"role\": \"assistant\", \"content\": \"I only answer.\"}]}", "body.messages")]
    [InlineData("{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}], \"top_k\": 0}", "body.top_k")]
    public async Task Invalid_chat_requests_are_422_located_at_the_field(string json, string location)
    {
        var detail = await (await corpus.Acme.PostAsync("/api/v1/chat", Json(json), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var locations = detail.EnumerateArray().Select(e => string.Join('.', e.GetProperty("loc").EnumerateArray().Select(l => l.GetString()))).ToList();
        Assert.Contains(location, locations);
        Assert.DoesNotContain(locations, l => l == "body.question" && location.StartsWith("body.messages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_question_longer_than_1000_characters_in_messages_is_422()
    {
        var request = new { messages = new[] { new { role = "user", content = new string('a', 1001) } } };

        var detail = await (await corpus.Acme.PostAsJsonAsync("/api/v1/sdk/chat", request, Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal("string_too_long", detail.EnumerateArray().Single().GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_history_message_over_the_cap_is_422_naming_the_message()
    {
        var request = new
        {
            messages = new[]
            {
                new { role = "system", content = "Be brief." },
                new { role = "assistant", content = new string('a', 32_001) },
                new { role = "user", content = BoilerQuestion },
            },
        };

        var detail = await (await corpus.Acme.PostAsJsonAsync("/api/v1/chat", request, Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "messages", "1", "content"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("string_too_long", item.GetProperty("type").GetString());
        Assert.StartsWith("Message 1 should have at most 32000 characters", item.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conversation_over_the_total_cap_is_422_even_when_each_message_fits()
    {
        var history = Enumerable.Range(0, 5).Select(i => new { role = i % 2 == 0 ? "user" : "assistant", content = new string('a', 30_000) });
        var request = new { messages = history.Append(new { role = "user", content = BoilerQuestion }).ToArray() };

        var detail = await (await corpus.Acme.PostAsJsonAsync("/api/v1/chat", request, Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "messages"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("too_long", item.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_history_message_at_the_cap_is_answered()
    {
        var request = new
        {
            messages = new[]
            {
                new { role = "system", content = new string('a', 32_000) },
                new { role = "user", content = BoilerQuestion },
            },
        };

        var body = await ChatAsync(corpus.Acme, request);

        Assert.Contains(BoilerSentence, Answer(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_slug_of_another_environment_is_403()
    {
        await (await corpus.Acme.PostAsJsonAsync("/api/v1/chat", new { question = "boiler", environment_slug = "globex" }, Ct)).ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await corpus.Acme.PostAsJsonAsync("/api/v1/chat", new { question = "boiler" }, Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Chats_are_counted_in_usage_and_not_as_searches()
    {
        using var admin = corpus.Server.AdminClient();
        var before = await ChatsCountedAsync(admin, corpus.AcmeEnvironment);
        var searchesBefore = await CountedAsync(admin, corpus.AcmeEnvironment, "searches");

        await ChatAsync(corpus.Acme, new { question = BoilerQuestion });
        await ChatAsync(corpus.Acme, new { messages = new[] { new { role = "user", content = "recipe for chocolate lava cake" } } }, "/api/v1/sdk");

        Assert.Equal(before + 2, await ChatsCountedAsync(admin, corpus.AcmeEnvironment));
        Assert.Equal(searchesBefore, await CountedAsync(admin, corpus.AcmeEnvironment, "searches"));
    }

    [Fact]
    public async Task With_an_OpenAI_compatible_model_the_answer_comes_from_it_and_it_is_sent_the_passages_and_question()
    {
        const string canned = "The boiler is serviced once a year by a certified technician [1].";
        await using var model = await FakeChatModel.StartAsync(FakeModelBehaviour.Answer, canned);
        await using var server = new MemicServerFactory { Settings = ModelSettings("OpenAI", model.BaseUrl + "/v1", ConfiguredModel) };
        var (client, fileId) = await EnvironmentWithBoilerDocumentAsync(server);

        var body = await ChatAsync(client, new { question = BoilerQuestion });

        Assert.Equal(canned, Answer(body));
        Assert.Equal(ConfiguredModel, Model(body));
        var citation = Assert.Single(Citations(body));
        Assert.Equal(fileId, citation.GetProperty("file_id").GetGuid());
        Assert.Equal("boilers.txt", citation.GetProperty("file_name").GetString());
        var sent = Assert.Single(model.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("Bearer " + ModelApiKey, sent.Authorization);
        Assert.Equal(ConfiguredModel, sent.Body.GetProperty("model").GetString());
        Assert.Equal("system", sent.Messages[0].Role);
        Assert.Contains("[1]", sent.Messages[0].Content, StringComparison.Ordinal);
        var last = sent.Messages[^1];
        Assert.Equal("user", last.Role);
        Assert.Contains("The boiler must be serviced every twelve months by a certified technician", last.Content, StringComparison.Ordinal);
        Assert.Contains("[1] boilers.txt, page 1", last.Content, StringComparison.Ordinal);
        Assert.Contains(BoilerQuestion, last.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_is_sent_the_conversation_history_and_is_not_asked_when_nothing_matches()
    {
        await using var model = await FakeChatModel.StartAsync(FakeModelBehaviour.Answer, "Every twelve months [1].");
        await using var server = new MemicServerFactory { Settings = ModelSettings("OpenAI", model.BaseUrl + "/v1", ConfiguredModel) };
        var (client, _) = await EnvironmentWithBoilerDocumentAsync(server);

        var body = await ChatAsync(client, new
        {
            messages = new[]
            {
                new { role = "system", content = "Answer like a facilities manager." },
                new { role = "user", content = "Who looks after the boiler?" },
                new { role = "assistant", content = "A certified technician does." },
                new { role = "user", content = BoilerQuestion },
            },
        }, "/api/v1/sdk");
        var nothing = await ChatAsync(client, new { question = "recipe for chocolate lava cake" });

        Assert.Equal("Every twelve months [1].", Answer(body));
        var sent = Assert.Single(model.Requests);
        Assert.Equal(
            [("system", "Answer like a facilities manager."), ("user", "Who looks after the boiler?"), ("assistant", "A certified technician does.")],
            sent.Messages.Skip(1).Take(3));
        Assert.Contains(BoilerQuestion, sent.Messages[^1].Content, StringComparison.Ordinal);
        Assert.Contains("No passages", Answer(nothing), StringComparison.Ordinal);
        Assert.Empty(Citations(nothing));
    }

    [Fact]
    public async Task With_Azure_OpenAI_the_deployment_is_called_with_the_api_key()
    {
        await using var model = await FakeChatModel.StartAsync(FakeModelBehaviour.Answer, "Every twelve months [1].");
        await using var server = new MemicServerFactory { Settings = ModelSettings("AzureOpenAI", model.BaseUrl, "memic-deployment") };
        var (client, _) = await EnvironmentWithBoilerDocumentAsync(server);

        var body = await ChatAsync(client, new { question = BoilerQuestion });

        Assert.Equal("Every twelve months [1].", Answer(body));
        Assert.Equal("memic-deployment", Model(body));
        var sent = Assert.Single(model.Requests);
        Assert.Equal("/openai/deployments/memic-deployment/chat/completions", sent.Path);
        Assert.Equal(ModelApiKey, sent.ApiKey);
    }

    [Theory]
    [InlineData(FakeModelBehaviour.Fail, "failed")]
    [InlineData(FakeModelBehaviour.Hang, "timed out")]
    public async Task A_failing_model_gives_the_extractive_answer_and_logs_no_document_text_or_key(FakeModelBehaviour behaviour, string outcome)
    {
        await using var model = await FakeChatModel.StartAsync(behaviour);
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string>(ModelSettings("OpenAI", model.BaseUrl + "/v1", ConfiguredModel)) { ["Memic:Chat:Timeout"] = "00:00:02" };
        await using var server = new MemicServerFactory { Settings = settings, TestServices = services => services.AddSingleton<ILoggerProvider>(logs) };
        var (client, fileId) = await EnvironmentWithBoilerDocumentAsync(server);

        var body = await ChatAsync(client, new { question = BoilerQuestion });

        Assert.Contains(BoilerSentence, Answer(body), StringComparison.Ordinal);
        Assert.StartsWith("extractive", Model(body), StringComparison.Ordinal);
        Assert.Contains(ConfiguredModel + " " + outcome, Model(body), StringComparison.Ordinal);
        Assert.Equal(fileId, Citations(body)[0].GetProperty("file_id").GetGuid());
        Assert.NotEmpty(model.Requests);
        var warning = Assert.Single(logs.Lines, l => l.StartsWith("Warning Memic.Core.Chat.ChatService", StringComparison.Ordinal));
        Assert.Contains(outcome, warning, StringComparison.Ordinal);
        Assert.All(logs.Lines, l => Assert.DoesNotContain("twelve months", l, StringComparison.Ordinal));
        Assert.All(logs.Lines, l => Assert.DoesNotContain(ModelApiKey, l, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OpenAI", null, null, "Memic:Chat:Model")]
    [InlineData("OpenAI", null, "gpt-test", "Memic:Chat:ApiKey")]
    [InlineData("AzureOpenAI", null, "memic-deployment", "Memic:Chat:Endpoint")]
    [InlineData("OpenAI", "not a url", "gpt-test", "Memic:Chat:Endpoint")]
    public async Task Incomplete_model_settings_stop_the_server_naming_the_setting(string provider, string? endpoint, string? modelName, string setting)
    {
        var settings = new Dictionary<string, string> { ["Memic:Chat:Provider"] = provider };
        if (endpoint is not null)
        {
            settings["Memic:Chat:Endpoint"] = endpoint;
        }

        if (modelName is not null)
        {
            settings["Memic:Chat:Model"] = modelName;
        }

        await using var server = new MemicServerFactory { Settings = settings };

        var error = Assert.IsType<OptionsValidationException>(server.StartupFailure());
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ModelSettings(string provider, string endpoint, string modelName) => new()
    {
        ["Memic:Chat:Provider"] = provider,
        ["Memic:Chat:Endpoint"] = endpoint,
        ["Memic:Chat:Model"] = modelName,
        ["Memic:Chat:ApiKey"] = ModelApiKey,
        ["Memic:Chat:MaxRetries"] = "0",
    };

    private static async Task<(HttpClient Client, Guid FileId)> EnvironmentWithBoilerDocumentAsync(MemicServerFactory server)
    {
        using var admin = server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("facilities");
        var client = server.DataClient(key);
        var (file, _) = await Uploads.UploadAndWaitAsync(server, client, "boilers.txt",
            "The boiler must be serviced every twelve months by a certified technician, and the service date recorded in the maintenance log."u8.ToArray(), "text/plain");
        Assert.Equal("ready", file.GetProperty("status").GetString());
        return (client, file.GetProperty("id").GetGuid());
    }

    private static Task<long> ChatsCountedAsync(HttpClient admin, Guid environmentId) => CountedAsync(admin, environmentId, "chats");

    private static async Task<long> CountedAsync(HttpClient admin, Guid environmentId, string counter)
    {
        var usage = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/usage", Ct)).ExpectAsync(HttpStatusCode.OK);
        return usage.GetProperty("totals").GetProperty(counter).GetInt64();
    }
}
