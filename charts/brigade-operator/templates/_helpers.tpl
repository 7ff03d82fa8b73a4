{{- define "brigade-operator.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "brigade-operator.labels" -}}
app.kubernetes.io/name: brigade-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "brigade-operator.selectorLabels" -}}
app.kubernetes.io/name: brigade-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
