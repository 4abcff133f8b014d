from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with a `page_size` that is a positive whole number or a 400.

    DRF ignores a `page_size` it cannot read and answers with the default page size, so a
    client's mistake went unnoticed; sizes above `max_page_size` are still cut to it.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (value.isascii() and value.isdigit() and int(value) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A positive whole number is expected.")]}
            )
        return min(int(value), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = _(
                    "Number of results to return per page (at most %(max)s are returned)."
                ) % {"max": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters
