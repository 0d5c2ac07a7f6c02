using System.Text.Encodings.Web;
using System.Text.Json;

namespace Newsletter.Admin;

public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
