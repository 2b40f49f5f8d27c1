"""The one setting for Meta's Graph API, through which both the WhatsApp channel (inside the
Rasa server) and the reminders (in the core) send messages. Standard library only: the
channel loads it in the Rasa environment, which has none of the core's packages.

Meta retires each Graph API version about two years after its release; v21.0 ends on
21 January 2027. v25.0 is served until July 2028. WHATSAPP_API_VERSION (or ``api_version``
in the channel's credentials section) overrides it for one deployment; change it here, once,
when Meta's version table says the time has come."""

GRAPH_API_BASE = "https://graph.facebook.com"
GRAPH_API_VERSION = "v25.0"
