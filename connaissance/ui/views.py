from django.views.generic import TemplateView


class AccessibilityView(TemplateView):
    template_name = "pages/accessibility.html"


class LegalNoticeView(TemplateView):
    template_name = "pages/legal.html"
