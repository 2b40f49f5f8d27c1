"""What the chat shows: decisions, reports and cards rendered as WhatsApp-sized replies in
the reader's language (``render``). May import every room below it: ``assistant.casework``
and down."""
